/**
 * The `ci-swarm` stack: the ssh target given three stand-in machines
 * (scripts/standins/machine), which the program bootstraps over SSH, forms
 * into a Docker Swarm and deploys every lab on as swarm services with
 * `npm run up`. The images go through the stand-in registry, as on the
 * ci-ssh stack: built ones pushed by the program, the stand-ins by this
 * harness, and every node pulls what it runs by digest with the pull account.
 *
 * Each machine is booted as a user's machine is before `up`: its own SSH
 * host key (cloud-init's ssh_keys, as on the ec2 target), the login key
 * authorized, Docker installed but off. They sit on a network of the private
 * engine with fixed addresses, outside the ci-ssh stack's (10.251.0.0/24) and
 * Docker's own pools. The kernel here has no IPVS: the stack sets dnsrr.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { createFixedNetwork, docker, prepareCiStack, removeMachine, requireFixture, startRegistry, type CiStack, type Machine, type Registry } from "@container-labs/test-kit";
import { hostKeyDocument, LOGIN_USER } from "../../components/platform/ec2/cloudInit";
import { bootMachine, initStack, labsThroughRegistry, pushStandins, registrySecrets, sshKey, timed } from "./standinStacks";

export const SWARM_STACK = "ci-swarm";
const NETWORK = { name: "cl-ci-swarm-net", subnet: "10.252.0.0/24" };
const REGISTRY = "cl-ci-swarm-registry";
/** The machines, in the order of the stack's list: the first is sshHost, the founder. */
const MACHINES = [1, 2, 3].map((n) => ({ name: `cl-ci-swarm-${n}`, address: `10.252.0.1${n}` }));

export interface SwarmMachine extends Machine {
  address: string;
  /** Its host key's line as ssh-keyscan prints it: "<address> ssh-ed25519 AAAA...". */
  scanned: string;
  /** Runs `docker` on the machine as root (its own engine). */
  docker(...args: string[]): Promise<string>;
}

export interface SwarmStack {
  stack: CiStack;
  machines: SwarmMachine[];
  registry: Registry;
  /** The external images the nodes run, as the stack's externalImages name them (pinned by the registry's digests). */
  standins: Record<string, string>;
  /** Seconds each step took, for the closing report. */
  seconds: Record<string, number>;
  /** The stack's sshSwarmHosts: the machines after the first, as their lines. */
  swarmHosts(machines: SwarmMachine[]): string[];
  remove(): Promise<void>;
}

/** Boots the three machines and writes the stack: sshHost the first, sshSwarmHosts the two others. A fresh set every run. */
export async function prepareSwarmStack(): Promise<SwarmStack> {
  const seconds: Record<string, number> = {};
  const stack = await prepareCiStack();
  const { engine } = stack;
  const dir = mkdtempSync(join(tmpdir(), "cl-ci-swarm-"));
  await Promise.all(MACHINES.map(({ name }) => removeMachine(engine, name)));
  await docker(engine, ["rm", "--force", "--volumes", REGISTRY, `${REGISTRY}-net`]).catch(() => undefined);
  const removeNetwork = await createFixedNetwork(engine, NETWORK.name, NETWORK.subnet);
  // Started before the machines, so that the address Docker gives it is not one of theirs.
  const registry = await timed(seconds, "registry started", () => startRegistry(engine, { name: REGISTRY, network: NETWORK.name }));
  const remove = async () => {
    await Promise.all(MACHINES.map(({ name }) => removeMachine(engine, name)));
    await registry.stop();
    await removeNetwork();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const loginKey = sshKey(dir, "login-key");
    const image = await requireFixture(engine, "machine");
    const dockerConfig = join(dir, "docker-config");
    mkdirSync(dockerConfig);
    const pushing = timed(seconds, "stand-ins pushed", () => pushStandins(stack, registry, dockerConfig));
    const booting = timed(seconds, "machines booted", () =>
      Promise.all(
        MACHINES.map(async ({ name, address }): Promise<SwarmMachine> => {
          const hostKey = sshKey(dir, `${name}-host-key`);
          const userData = `#cloud-config\n${stringify(hostKeyDocument(hostKey), { lineWidth: 0 })}`;
          const metaData = stringify({ "instance-id": `i-${name}`, "local-hostname": name, "public-keys": [loginKey.publicKeyOpenssh] });
          const machine = await bootMachine(stack, { image, name, seed: { userData, metaData }, publish: {}, address: { network: NETWORK.name, ip: address } });
          return { ...machine, address, scanned: `${address} ${hostKey.publicKeyOpenssh.split(" ").slice(0, 2).join(" ")}`, docker: (...args) => machine.exec(["docker", ...args]) };
        }),
      ),
    );
    // The pushes and the boots at the same time: neither needs the other.
    const [pushed, booted] = await Promise.allSettled([pushing, booting]);
    if (pushed.status === "rejected") throw pushed.reason;
    if (booted.status === "rejected") throw booted.reason;
    const machines = booted.value;
    const swarmHosts = (list: SwarmMachine[]) => list.slice(1).map((machine) => machine.scanned);
    const [first] = machines;
    await initStack(
      stack,
      SWARM_STACK,
      {
        "container-labs:target": "ssh",
        "container-labs:sshHost": first.address,
        "container-labs:sshUser": LOGIN_USER,
        "container-labs:sshHostKey": first.scanned,
        "container-labs:sshSwarmHosts": swarmHosts(machines),
        "container-labs:sshDockerSource": "distribution",
        "container-labs:swarmEndpointMode": "dnsrr",
        // The lesson's shape: rng runs on every node (global), 3 hashers and 6 workers spread over the nodes.
        "container-labs:dockercoinsHasherReplicas": 3,
        "container-labs:dockercoinsWorkers": 6,
        ...labsThroughRegistry(stack, registry, pushed.value, dir),
      },
      { sshPrivateKey: loginKey.privateKeyOpenssh, ...registrySecrets(registry) },
    );
    return { stack, machines, registry, standins: pushed.value, seconds, swarmHosts, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
