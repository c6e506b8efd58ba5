/**
 * A swarm of machines on the ssh target, under mocks: its settings
 * (sshSwarmHosts, swarmEndpointMode) and their messages, and the plan the
 * program makes of them: who inits the swarm, who joins as what, the node
 * labels, the tokens kept secret, what a machine removed from the list does
 * to the others. One machine makes what it made before the swarm existed.
 * The formation runs for real on three stand-in machines in the deploy
 * project (test/deploy/40-swarm.test.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SWARM_NODE_LABEL as TEST_KIT_NODE_LABEL } from "@container-labs/test-kit";
import { ConfigurationError, loadConfig } from "../../config";
import type { DockerHost } from "../../components/platform/host";
import { Registry } from "../../components/platform/registry";
import { REMOTE_HOST_FILES, SWARM_HOST_FILES } from "../../components/platform/remote/hostFiles";
import { managerCount, swarmRoles, SWARM_NODE_LABEL } from "../../components/platform/remote/swarm";
import { swarmNodeProvider, type SwarmNodeInputs } from "../../components/platform/remote/swarmNode";
import { userDataDocument } from "../../components/platform/ec2/userData";
import { parse } from "yaml";
import { createDockerHost } from "../../components/platform/targets";
import { program, REMOTE_COMMAND } from "../labs/helpers";
import { resolve, runStack, type Recorded, type StackRun } from "../support/mocks";

const SWARM_NODE = "pulumi-nodejs:dynamic/container-labs:SwarmNode";

const dir = mkdtempSync(join(tmpdir(), "swarm-target-"));
/** A host key line per machine, as its key file has it, and the key pinned ("<type> <base64>"). */
function hostKey(name: string): { line: string; pinned: string } {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
  const line = readFileSync(join(dir, `${name}.pub`), "utf8").trim();
  return { line, pinned: line.split(" ").slice(0, 2).join(" ") };
}
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "login")]);
const LOGIN_KEY = readFileSync(join(dir, "login"), "utf8");
const KEYS = [hostKey("node-1"), hostKey("node-2"), hostKey("node-3"), hostKey("node-4")];
const ADDRESSES = ["192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14"];
/** Machine n (from 1) of sshSwarmHosts, as ssh-keyscan prints it: the host, then its key. */
const scanned = (n: number) => `${ADDRESSES[n - 1]} ${KEYS[n - 1].pinned}`;

/** No lab: the host alone, which needs no registry. */
const SSH = { target: "ssh", labs: [], sshHost: ADDRESSES[0], sshUser: "student", sshHostKey: KEYS[0].line };
const SECRETS = { sshPrivateKey: LOGIN_KEY };

/** The ssh target's Docker host for a stack of these settings, as the program makes it. */
const hostOf = () => {
  const config = loadConfig();
  return createDockerHost("host", config, { buildEngine: config.dockerHost, registry: new Registry("registry", undefined), labPorts: [] });
};

type HostRun = StackRun<DockerHost>;
const runWith = (set: Record<string, unknown>): Promise<HostRun> => runStack("box", hostOf, { set: { ...SSH, ...set }, secrets: SECRETS });

const problemsOf = async (set: Record<string, unknown>): Promise<string[]> => {
  try {
    await runWith(set);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
};

const swarmNodes = (run: HostRun) => run.ofType(SWARM_NODE);
const nodeNamed = (run: HostRun, name: string): Recorded => swarmNodes(run).find((node) => node.name === name)!;
/** Each swarm node's resource name, number and role, in the order they were made. */
const plan = (run: HostRun) => swarmNodes(run).map((node) => ({ name: node.name, number: node.inputs.number, role: node.inputs.role, address: node.inputs.address, joins: node.inputs.join !== undefined }));

describe("a swarm's settings", () => {
  it("take each further machine as ssh-keyscan prints it, its host and its pinned key, on sshPort", async () => {
    const config = (await runStack("box", loadConfig, { set: { ...SSH, sshSwarmHosts: [scanned(2), `${scanned(3)}\n`] }, secrets: SECRETS })).outputs;
    expect(config.ssh?.swarmHosts).toEqual([{ host: ADDRESSES[1], hostKey: KEYS[1].pinned }, { host: ADDRESSES[2], hostKey: KEYS[2].pinned }]);
    const otherPort = (await runStack("box", loadConfig, { set: { ...SSH, sshPort: 2222, sshSwarmHosts: [`[${ADDRESSES[1]}]:2222 ${KEYS[1].pinned}`] }, secrets: SECRETS })).outputs;
    expect(otherPort.ssh?.swarmHosts).toEqual([{ host: ADDRESSES[1], hostKey: KEYS[1].pinned }]);
  });

  it("are one machine and vip endpoints unless set", async () => {
    const config = (await runStack("box", loadConfig, { set: SSH, secrets: SECRETS })).outputs;
    expect(config.ssh).toMatchObject({ host: ADDRESSES[0], hostKey: KEYS[0].pinned, swarmHosts: [], endpointMode: "vip" });
    const dnsrr = (await runStack("box", loadConfig, { set: { ...SSH, swarmEndpointMode: "dnsrr" }, secrets: SECRETS })).outputs;
    expect(dnsrr.ssh?.endpointMode).toBe("dnsrr");
  });

  it("refuse an entry without its host, or with a key that is not one, saying how to read the line", async () => {
    for (const entry of [KEYS[1].line, `${ADDRESSES[1]} ${KEYS[1].pinned.slice(0, 40)}`, `not_a_host! ${KEYS[1].pinned}`]) {
      const problems = await problemsOf({ sshSwarmHosts: [entry] });
      expect(problems).toEqual([`container-labs:sshSwarmHosts = ${JSON.stringify(entry)}: a machine as ssh-keyscan prints it, "<host> ssh-ed25519 AAAA..." (its IPv4 address or DNS name, then its SSH host key): \`ssh-keyscan -t ed25519 <host> 2>/dev/null\` prints it; compare its fingerprint (\`ssh-keygen -lf\` of that line) with the one the machine itself shows before adding it, as for sshHostKey`]);
    }
  });

  it("refuse a machine on another port, sshHost again, or one machine twice", async () => {
    expect(await problemsOf({ sshSwarmHosts: [`[${ADDRESSES[1]}]:2222 ${KEYS[1].pinned}`] })).toEqual([
      `container-labs:sshSwarmHosts = "[${ADDRESSES[1]}]:2222 ${KEYS[1].pinned}": a machine on sshPort (22): every machine is reached on the same port`,
    ]);
    expect(await problemsOf({ sshSwarmHosts: [`${ADDRESSES[0]} ${KEYS[1].pinned}`, scanned(2), scanned(2)] })).toEqual([
      `container-labs:sshSwarmHosts = "${ADDRESSES[0]} ${KEYS[1].pinned}": a machine other than sshHost and the other entries (${ADDRESSES[0]} is there already)`,
      `container-labs:sshSwarmHosts = "${scanned(2)}": a machine other than sshHost and the other entries (${ADDRESSES[1]} is there already)`,
    ]);
  });

  it("refuse an endpoint mode Docker has not, naming the two it has", async () => {
    expect(await problemsOf({ swarmEndpointMode: "ingress" })).toEqual(['container-labs:swarmEndpointMode = "ingress": one of vip, dnsrr']);
  });
});

describe("a swarm's managers", () => {
  it("are one for one or two machines, three from three on: the first machines, the others workers", () => {
    expect([1, 2, 3, 4, 7].map(managerCount)).toEqual([1, 1, 3, 3, 3]);
    expect(swarmRoles(2)).toEqual(["manager", "worker"]);
    expect(swarmRoles(4)).toEqual(["manager", "manager", "manager", "worker"]);
  });
});

describe("one machine", () => {
  let run: HostRun;
  beforeAll(async () => {
    run = await runWith({});
  });

  it("is no swarm: the host offers none and no swarm resource is made", () => {
    expect(run.outputs.swarm).toBeUndefined();
    expect(swarmNodes(run)).toEqual([]);
  });

  it("is bootstrapped, and gets Docker's TLS, as before the swarm existed: the same resources, Docker's live-restore on", () => {
    expect(run.ofType(REMOTE_COMMAND).map((command) => command.name)).toEqual(["host-bootstrap", "host-docker-tls"]);
    expect(run.ofType("tls:index/certRequest:CertRequest").map((request) => request.name).sort()).toEqual(["host-client-csr", "host-server-csr"]);
    const bootstrap = run.ofType(REMOTE_COMMAND)[0].inputs.stdin as string;
    const daemonJson = REMOTE_HOST_FILES.find((file) => file.path === "/etc/docker/daemon.json")!;
    expect(JSON.parse(daemonJson.content)["live-restore"]).toBe(true);
    expect(bootstrap).toContain(Buffer.from(daemonJson.content).toString("base64"));
  });
});

describe("three machines", () => {
  let run: HostRun;
  beforeAll(async () => {
    run = await runWith({ sshSwarmHosts: [scanned(2), scanned(3)], swarmEndpointMode: "dnsrr" });
  });

  it("bootstrap each machine, each reached with its own pinned key, with a daemon.json without live-restore (swarm mode refuses it)", () => {
    const bootstraps = run.ofType(REMOTE_COMMAND).filter((command) => command.name.endsWith("-bootstrap"));
    expect(bootstraps.map((command) => [command.name, command.inputs.connection.host, command.inputs.connection.hostKey])).toEqual([
      ["host-bootstrap", ADDRESSES[0], KEYS[0].pinned],
      [`host-${ADDRESSES[1]}-bootstrap`, ADDRESSES[1], KEYS[1].pinned],
      [`host-${ADDRESSES[2]}-bootstrap`, ADDRESSES[2], KEYS[2].pinned],
    ]);
    const swarmDaemonJson = SWARM_HOST_FILES.find((file) => file.path === "/etc/docker/daemon.json")!;
    expect(JSON.parse(swarmDaemonJson.content)).toEqual({ ...JSON.parse(REMOTE_HOST_FILES.find((file) => file.path === "/etc/docker/daemon.json")!.content), "live-restore": false });
    for (const bootstrap of bootstraps) expect(bootstrap.inputs.stdin).toContain(Buffer.from(swarmDaemonJson.content).toString("base64"));
  });

  it("give each machine Docker's TLS after its bootstrap, with a server certificate of its own address from the one CA", () => {
    const tls = run.ofType(REMOTE_COMMAND).filter((command) => command.name.endsWith("-docker-tls"));
    expect(tls.map((command) => [command.name, command.inputs.connection.host, command.dependsOn])).toEqual([
      ["host-docker-tls", ADDRESSES[0], ["host-bootstrap"]],
      [`host-${ADDRESSES[1]}-docker-tls`, ADDRESSES[1], [`host-${ADDRESSES[1]}-bootstrap`]],
      [`host-${ADDRESSES[2]}-docker-tls`, ADDRESSES[2], [`host-${ADDRESSES[2]}-bootstrap`]],
    ]);
    const servers = run.ofType("tls:index/certRequest:CertRequest").filter((request) => request.name.endsWith("-server-csr"));
    expect(servers.map((request) => request.inputs.ipAddresses)).toEqual(ADDRESSES.slice(0, 3).map((address) => [address, "127.0.0.1"]));
    expect(run.ofType("tls:index/selfSignedCert:SelfSignedCert").map((ca) => ca.name)).toEqual(["host-ca-cert"]);
  });

  it("form one swarm: the first machine inits it, the two others join it one after the other, all three managers, numbered in order", () => {
    expect(plan(run)).toEqual([
      { name: "host-swarm-founder", number: 1, role: "manager", address: ADDRESSES[0], joins: false },
      { name: `host-swarm-${ADDRESSES[1]}`, number: 2, role: "manager", address: ADDRESSES[1], joins: true },
      { name: `host-swarm-${ADDRESSES[2]}`, number: 3, role: "manager", address: ADDRESSES[2], joins: true },
    ]);
    expect(nodeNamed(run, "host-swarm-founder").dependsOn).toEqual(["host-docker-tls"]);
    expect(nodeNamed(run, `host-swarm-${ADDRESSES[1]}`).dependsOn).toEqual([`host-${ADDRESSES[1]}-docker-tls`, "host-swarm-founder"]);
    expect(nodeNamed(run, `host-swarm-${ADDRESSES[2]}`).dependsOn).toEqual([`host-${ADDRESSES[2]}-docker-tls`, `host-swarm-${ADDRESSES[1]}`]);
    for (const node of swarmNodes(run)) {
      expect(node.inputs.node).toEqual({ host: node.inputs.address, port: 22, user: "student", hostKey: KEYS[node.inputs.number - 1].pinned });
      // Placed, drained and removed from the founder.
      expect(node.inputs.manager).toEqual({ host: ADDRESSES[0], port: 22, user: "student", hostKey: KEYS[0].pinned });
    }
  });

  it("join at the founder's address with the manager token, kept secret like the login key: in the state only as secrets", () => {
    const founder = nodeNamed(run, "host-swarm-founder");
    expect(founder.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["workerToken", "managerToken", "privateKey"]));
    for (const member of swarmNodes(run).slice(1)) {
      expect(member.inputs.join).toEqual({ manager: ADDRESSES[0], token: "SWMTKN-1-manager-host-swarm-founder" });
      expect(member.secretInputs).toEqual(expect.arrayContaining(["join", "privateKey"]));
      expect(member.inputs.privateKey).toBe(LOGIN_KEY);
    }
  });

  it("make the host a swarm: the endpoint mode set, node 1 (the Docker provider's engine) the stateful node, ready once every node is", async () => {
    const swarm = run.outputs.swarm!;
    expect(swarm.endpointMode).toBe("dnsrr");
    expect(swarm.statefulNode).toEqual({ label: SWARM_NODE_LABEL, value: "1" });
    // The label the test kit's swarm gives its nodes, so the services' constraints mean the same on both.
    expect(SWARM_NODE_LABEL).toBe(TEST_KIT_NODE_LABEL);
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.host).toBe(`tcp://${ADDRESSES[0]}:2376`);
    // The swarm component: depending on it waits for each node, its children.
    expect(await resolve(swarm.ready.urn)).toMatch(/::container-labs:platform:DockerHost\$container-labs:platform:Swarm::host-swarm$/);
  });
});

describe("a stack of no lab on three machines (the ci-swarm stack's settings)", () => {
  it("deploys the swarm alone: no image built, no registry needed, the founder's address the host's", async () => {
    const run = await runStack("box", program, { set: { ...SSH, sshSwarmHosts: [scanned(2), scanned(3)], swarmEndpointMode: "dnsrr" }, secrets: SECRETS });
    expect(run.ofType("docker-build:index:Image")).toEqual([]);
    expect(run.ofType(SWARM_NODE)).toHaveLength(3);
    expect(await resolve(run.outputs.hostAddress)).toBe(ADDRESSES[0]);
    expect(run.outputs.labs).toEqual({});
  });
});

describe("two and four machines", () => {
  it("two: the founder the only manager, the other a worker joining with the worker token", async () => {
    const run = await runWith({ sshSwarmHosts: [scanned(2)] });
    expect(plan(run).map(({ role, number }) => ({ role, number }))).toEqual([{ role: "manager", number: 1 }, { role: "worker", number: 2 }]);
    expect(nodeNamed(run, `host-swarm-${ADDRESSES[1]}`).inputs.join.token).toBe("SWMTKN-1-worker-host-swarm-founder");
  });

  it("four: three managers, then a worker", async () => {
    const run = await runWith({ sshSwarmHosts: [scanned(2), scanned(3), scanned(4)] });
    expect(plan(run).map(({ role }) => role)).toEqual(["manager", "manager", "manager", "worker"]);
    expect(nodeNamed(run, `host-swarm-${ADDRESSES[3]}`).inputs.join.token).toBe("SWMTKN-1-worker-host-swarm-founder");
  });
});

/**
 * A machine taken out of the list: the others keep their resources (named by
 * address, not position), and a new number or role is an update of the node,
 * never a new membership; the one removed is deleted, which drains it and
 * makes it leave (swarmNode.ts).
 */
describe("a machine removed from the list", () => {
  let before: HostRun;
  let after: HostRun;
  beforeAll(async () => {
    before = await runWith({ sshSwarmHosts: [scanned(2), scanned(3)] });
    after = await runWith({ sshSwarmHosts: [scanned(3)] });
  });

  /** What the provider decides for a node of `before` given its inputs in `after`. */
  const diffOf = (name: string) => {
    const old = nodeNamed(before, name);
    const state = { ...old.inputs, joined: old.inputs.join?.manager ?? "", nodeId: `id-${name}` };
    return swarmNodeProvider.diff!("id", state, nodeNamed(after, name).inputs as SwarmNodeInputs);
  };

  it("leaves the others under the same names, the last one renumbered and now a worker (two machines: one manager)", () => {
    expect(plan(after)).toEqual([
      { name: "host-swarm-founder", number: 1, role: "manager", address: ADDRESSES[0], joins: false },
      { name: `host-swarm-${ADDRESSES[2]}`, number: 2, role: "worker", address: ADDRESSES[2], joins: true },
    ]);
    expect(after.ofType(REMOTE_COMMAND).map((command) => command.name)).not.toContain(`host-${ADDRESSES[1]}-bootstrap`);
  });

  it("updates the renumbered node in place (its role and label), replaces nothing, and leaves the founder as it was", async () => {
    expect(await diffOf(`host-swarm-${ADDRESSES[2]}`)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    expect(await diffOf("host-swarm-founder")).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });

  it("would make a new membership only for a new machine at the address (another host key), deleting the old one first", async () => {
    const old = nodeNamed(before, `host-swarm-${ADDRESSES[2]}`);
    const state = { ...old.inputs, joined: ADDRESSES[0], nodeId: "id" };
    const reinstalled = { ...old.inputs, node: { ...old.inputs.node, hostKey: KEYS[3].pinned } } as SwarmNodeInputs;
    expect(await swarmNodeProvider.diff!("id", state, reinstalled)).toEqual({ changes: true, replaces: ["node"], deleteBeforeReplace: true });
    // A rotated token is no reason to join again.
    const rotated = { ...old.inputs, join: { ...old.inputs.join, token: "SWMTKN-1-rotated" } } as SwarmNodeInputs;
    expect(await swarmNodeProvider.diff!("id", state, rotated)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });
});

/**
 * The ec2 target's instances (ec2HostCount): the same swarm, each instance
 * with its own data volume, Elastic IP and host key, the swarm's ports open
 * between the members only (a rule of the group on itself), and the nodes
 * reaching each other at their private addresses, inside the VPC.
 */
describe("the ec2 target's instances", () => {
  const INSTANCE = "aws:ec2/instance:Instance";
  const ec2Run = (hostCount: number) => runStack("dev", program, { set: { labs: [], ec2HostCount: hostCount }, secrets: { registryToken: "t" } });
  const daemonJsonOf = (instance: Recorded) =>
    JSON.parse((parse(userDataDocument(instance.inputs.userDataBase64)) as { write_files: Array<{ path: string; content: string }> }).write_files.find((file) => file.path === "/etc/docker/daemon.json")!.content);

  it("one by default: no swarm, no swarm port open, live-restore on", async () => {
    const run = await ec2Run(1);
    expect(run.ofType(INSTANCE).map((instance) => instance.name)).toEqual(["host-instance"]);
    expect(swarmNodes(run as unknown as HostRun)).toEqual([]);
    const [group] = run.ofType("aws:ec2/securityGroup:SecurityGroup");
    expect(group.inputs.ingress.filter((rule: { self?: boolean }) => rule.self)).toEqual([]);
    expect(daemonJsonOf(run.ofType(INSTANCE)[0])["live-restore"]).toBe(true);
  });

  it("three: an instance, a data volume, an Elastic IP and a host key each, one group, role and login key for all", async () => {
    const run = await ec2Run(3);
    expect(run.ofType(INSTANCE).map((instance) => instance.name)).toEqual(["host-instance", "host-2-instance", "host-3-instance"]);
    expect(run.ofType("aws:ebs/volume:Volume").map((volume) => volume.name)).toEqual(["host-data", "host-2-data", "host-3-data"]);
    expect(run.ofType("aws:ec2/eip:Eip").map((ip) => ip.name)).toEqual(["host-ip", "host-2-ip", "host-3-ip"]);
    expect(run.ofType("tls:index/privateKey:PrivateKey").map((key) => key.name).filter((name) => name.endsWith("ssh-host-key"))).toEqual(["host-ssh-host-key", "host-2-ssh-host-key", "host-3-ssh-host-key"]);
    expect(run.ofType("aws:ec2/securityGroup:SecurityGroup")).toHaveLength(1);
    expect(run.ofType("aws:iam/role:Role")).toHaveLength(1);
    expect(run.ofType("aws:ec2/keyPair:KeyPair")).toHaveLength(1);
    for (const instance of run.ofType(INSTANCE)) expect(daemonJsonOf(instance)["live-restore"]).toBe(false);
  });

  it("three: the swarm's ports open between the group's members only, nothing else added", async () => {
    const run = await ec2Run(3);
    const [group] = run.ofType("aws:ec2/securityGroup:SecurityGroup");
    const [single] = (await ec2Run(1)).ofType("aws:ec2/securityGroup:SecurityGroup");
    const added = group.inputs.ingress.filter((rule: unknown) => !single.inputs.ingress.some((other: unknown) => JSON.stringify(other) === JSON.stringify(rule)));
    expect(added.map(({ protocol, fromPort, toPort, self, cidrBlocks }: Record<string, unknown>) => ({ protocol, fromPort, toPort, self, cidrBlocks }))).toEqual([
      { protocol: "tcp", fromPort: 2377, toPort: 2377, self: true, cidrBlocks: undefined },
      { protocol: "tcp", fromPort: 7946, toPort: 7946, self: true, cidrBlocks: undefined },
      { protocol: "udp", fromPort: 7946, toPort: 7946, self: true, cidrBlocks: undefined },
      { protocol: "udp", fromPort: 4789, toPort: 4789, self: true, cidrBlocks: undefined },
    ]);
  });

  it("three: a swarm of three managers whose nodes advertise their private addresses, each reached over SSH at its Elastic IP with its own host key", async () => {
    const run = (await ec2Run(3)) as unknown as HostRun;
    expect(plan(run)).toEqual([
      { name: "host-swarm-founder", number: 1, role: "manager", address: "10.0.1.1", joins: false },
      { name: "host-swarm-2", number: 2, role: "manager", address: "10.0.1.2", joins: true },
      { name: "host-swarm-3", number: 3, role: "manager", address: "10.0.1.3", joins: true },
    ]);
    expect(nodeNamed(run, "host-swarm-3").inputs.join.manager).toBe("10.0.1.1");
    const hostKeys = new Set(swarmNodes(run).map((node) => node.inputs.node.hostKey));
    expect(hostKeys.size).toBe(3);
    expect(run.ofType(REMOTE_COMMAND).map((command) => command.name).filter((name) => name.endsWith("-docker-tls"))).toEqual(["host-docker-tls", "host-2-docker-tls", "host-3-docker-tls"]);
  });

  it("refuses a count out of 1 to 10", async () => {
    const problems = await runStack("dev", loadConfig, { set: { ec2HostCount: 0 }, secrets: { registryToken: "t" } }).then(() => [], (error: ConfigurationError) => error.problems);
    expect(problems).toEqual(['container-labs:ec2HostCount = "0": an integer from 1 to 10']);
  });
});
