/**
 * The `ci-ssh` stack: the ssh target deployed for real on the stand-in
 * machine (scripts/standins/machine: Debian with systemd, sshd, cloud-init
 * and a loop disk as its data volume), booted with the ec2 target's own
 * cloud-config, through the stand-in registry (Debian's docker-registry with
 * TLS and a push and a pull account). What the program does to a machine of
 * a user's, and what EC2's instance does at boot, run here; only the AWS API
 * calls are not.
 *
 * The external images are the stand-ins, pushed to the registry by this
 * harness (the machine pulls everything by digest from there). The stack file
 * Pulumi.ci-ssh.yaml (git-ignored) is written here; the secrets (the login
 * key, the registry's tokens) are set through the CLI, as a user sets them.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  attachLoopDisk,
  cacheDir,
  createFixedNetwork,
  detachLoopDisks,
  docker,
  prepareCiStack,
  removeMachine,
  requireFixture,
  startRegistry,
  waitFor,
  type CiStack,
  type Machine,
  type Registry,
} from "@container-labs/test-kit";
import { cloudConfig, LOGIN_USER } from "../../components/platform/ec2/cloudInit";
import { bootMachine, EVERY_LAB, initStack, labsThroughRegistry, pushStandins, registrySecrets, sshKey, timed } from "./standinStacks";

export const SSH_STACK = "ci-ssh";
/** The labs the ssh stack runs: every lab, as a user's machine runs them. */
export const SSH_LABS: string[] = [...EVERY_LAB];
const MACHINE = "cl-ci-ssh-machine";
const REGISTRY = "cl-ci-ssh-registry";
/**
 * The engine's network of the machine and the registry. Its subnet is fixed,
 * so that a new machine takes the old one's address (the Elastic IP's part),
 * and outside Docker's own address pools, so that no network Docker makes on
 * the machine overlaps it.
 */
const NETWORK = { name: "cl-ci-ssh-net", subnet: "10.251.0.0/24", machine: "10.251.0.10" };
/** What EC2 would call the data volume; the stand-in machine's disk is found under MACHINE_DISK whatever its ID. */
const VOLUME_ID = "vol-0c1ss0000000000aa";
const DISK_MIB = 4096;

export interface SshStack {
  stack: CiStack;
  /** The machine; a new one after `replace`. */
  machine: Machine;
  registry: Registry;
  /** The machine's address on the engine's network: SSH, Docker's TLS port and the labs' ports. */
  address: string;
  /** The files of this run: keys, the registry's CA, the disk image. */
  dir: string;
  /** The external images the machine runs, as the stack's externalImages name them (pinned by the registry's digests). */
  standins: Record<string, string>;
  /** Seconds each step took, for the closing report. */
  seconds: Record<string, number>;
  /** Reboots the machine (the container restarted): systemd, the data disk, the firewall and Docker start again. */
  reboot(): Promise<void>;
  /**
   * Replaces the machine as EC2 replaces an instance: it is shut down and a
   * new one boots from the same image and the same cloud-config at the same
   * address, with the same data disk, a Docker root of its own and a new SSH
   * host key. Resolves to that key's public line, as the new machine's
   * console would show it.
   */
  replace(): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Boots the machine, starts the registry, pushes the stand-ins, writes the
 * stack file and sets its secrets. A fresh machine, disk and registry every
 * run: the stack's earlier state is removed first.
 */
export async function prepareSshStack(): Promise<SshStack> {
  const seconds: Record<string, number> = {};
  const stack = await prepareCiStack();
  const { engine } = stack;
  const dir = mkdtempSync(join(tmpdir(), "cl-ci-ssh-"));
  const diskFile = join(cacheDir(), "ci-ssh-disk.img");
  await removeMachine(engine, MACHINE);
  await detachLoopDisks(diskFile);
  await docker(engine, ["rm", "--force", "--volumes", REGISTRY, `${REGISTRY}-net`]).catch(() => undefined);
  const removeNetwork = await createFixedNetwork(engine, NETWORK.name, NETWORK.subnet);

  const hostKey = sshKey(dir, "host-key");
  const loginKey = sshKey(dir, "login-key");

  const registry = await timed(seconds, "registry started", () => startRegistry(engine, { name: REGISTRY, network: NETWORK.name }));
  const disk = await attachLoopDisk(diskFile, DISK_MIB);
  const remove = async () => {
    await removeMachine(engine, MACHINE);
    await detachLoopDisks(diskFile);
    rmSync(diskFile, { force: true });
    await registry.stop();
    await removeNetwork();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dockerConfig = join(dir, "docker-config");
    mkdirSync(dockerConfig);
    const image = await requireFixture(engine, "machine");
    /** A machine (an instance of its own) with this host key, booted at the address with the data disk. */
    const boot = async (instanceId: string, key: typeof hostKey): Promise<Machine> => {
      // The ec2 target's document, but for Docker's source: its apt repository is unreachable here (README).
      const userData = cloudConfig({ dataVolumeId: VOLUME_ID, hostKey: key, dockerSource: "distribution" });
      const metaData = stringify({ "instance-id": instanceId, "local-hostname": MACHINE, "public-keys": [loginKey.publicKeyOpenssh] });
      return bootMachine(stack, { image, name: MACHINE, seed: { userData, metaData }, disk, publish: {}, address: { network: NETWORK.name, ip: NETWORK.machine } });
    };
    // The pushes and the first boot, at the same time: neither needs the other.
    const [pushed, booted] = await Promise.allSettled([
      timed(seconds, "stand-ins pushed", () => pushStandins(stack, registry, dockerConfig)),
      timed(seconds, "machine booted", () => boot(`i-${MACHINE}`, hostKey)),
    ]);
    if (pushed.status === "rejected") throw pushed.reason;
    if (booted.status === "rejected") throw booted.reason;
    const standins = pushed.value;
    const machine = booted.value;
    const address = NETWORK.machine;

    const config: Record<string, unknown> = {
      "container-labs:target": "ssh",
      "container-labs:sshHost": address,
      "container-labs:sshUser": LOGIN_USER,
      "container-labs:sshHostKey": hostKey.publicKeyOpenssh,
      "container-labs:sshDockerSource": "distribution",
      "container-labs:dockercoinsRngReplicas": 3,
      ...labsThroughRegistry(stack, registry, standins, dir),
    };
    await initStack(stack, SSH_STACK, config, { sshPrivateKey: loginKey.privateKeyOpenssh, ...registrySecrets(registry) });
    const ssh: SshStack = {
      stack,
      machine,
      registry,
      address,
      dir,
      standins,
      seconds,
      reboot: async () => {
        await ssh.machine.reboot();
        await ssh.machine.booted();
      },
      replace: () => timed(seconds, "machine replaced", async () => {
        // A clean shutdown unmounts the data disk, as EC2 stops an instance before the volume is detached; its root volume goes.
        await ssh.machine.remove();
        const newKey = sshKey(dir, "host-key-2");
        ssh.machine = await boot(`i-${MACHINE}-2`, newKey);
        return newKey.publicKeyOpenssh;
      }),
      remove,
    };
    return ssh;
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Runs `docker` on the machine as root (its own engine, the one the stack deployed to). */
export const onMachine = (ssh: SshStack, ...args: string[]) => ssh.machine.exec(["docker", ...args]);

/** Waits until `url` answers 200. */
export async function answers(url: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(url, async () => (await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.status === 200, { timeoutMs, intervalMs: 1000 });
}
