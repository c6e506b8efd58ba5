/**
 * A new machine at the same address: EC2 replaced the instance (a changed
 * cloud-init script), or a user reinstalled their machine and pinned its new
 * host key. The Docker provider reaches the new machine exactly as it
 * reached the old one, so without more it would take the old machine's
 * containers, networks and pulled images as still there. Each of them, and
 * each command the labs ran there, carries the machine's identity as its
 * replacement trigger (onMachine, components/platform/host.ts); the named
 * volumes do not, since their data and Docker's record of them are on the
 * data disk the new machine mounts. On the local target nothing carries one.
 * The deploy project replaces the ci-ssh stack's machine for real
 * (test/deploy/30-ssh-target.test.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTAINER, program, REMOTE_COMMAND, type Run } from "../labs/helpers";
import { runStack, type Recorded } from "../support/mocks";
import { stackFile } from "../support/stackConfig";

const NETWORK = "docker:index/network:Network";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const VOLUME = "docker:index/volume:Volume";
const TABLE = "pulumi-nodejs:dynamic/container-labs:LocalDynamoTable";
const INSTANCE = "aws:ec2/instance:Instance";

/** Resources the mocks recorded on the host's Docker engine (the Docker provider's, not the builder's). */
const onEngine = (run: Run): Recorded[] => run.resources.filter((resource) => /[:$]pulumi:providers:docker::/.test(resource.provider ?? ""));

/** Each resource as "<type> <name>" with its trigger, for a readable failure. */
const triggers = (resources: Recorded[]) => resources.map((resource) => ({ resource: `${resource.type} ${resource.name}`, trigger: resource.replacementTrigger }));

/** What the stack makes on the machine and must make again on a new one: all of the engine's but its volumes, and the labs' commands. */
function madeAgainOnANewMachine(run: Run, identity: string): void {
  const onMachine = [
    ...onEngine(run).filter((resource) => resource.type !== VOLUME),
    // The commands the labs run through the host: directories, pids limits, volume owners, the latency probe.
    ...run.ofType(REMOTE_COMMAND).filter((command) => !/^host-(bootstrap|docker-tls|wait-for-docker)$/.test(command.name)),
  ];
  for (const type of [CONTAINER, NETWORK, REMOTE_IMAGE, REMOTE_COMMAND]) expect(onMachine.filter((resource) => resource.type === type).length).toBeGreaterThan(0);
  expect(triggers(onMachine)).toEqual(onMachine.map((resource) => ({ resource: `${resource.type} ${resource.name}`, trigger: identity })));
}

/** The named volumes (and DynamoDB Local's tables, whose items are on one) stay, with their data. */
function keptOnANewMachine(run: Run): void {
  const kept = [...run.ofType(VOLUME), ...run.ofType(TABLE)];
  expect(run.ofType(VOLUME).length).toBeGreaterThan(3);
  expect(triggers(kept)).toEqual(kept.map((resource) => ({ resource: `${resource.type} ${resource.name}`, trigger: undefined })));
}

describe("on the ssh target, a new host key is a new machine", () => {
  const dir = mkdtempSync(join(tmpdir(), "new-machine-"));
  for (const key of ["host", "login"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, key)]);
  const pinned = readFileSync(join(dir, "host.pub"), "utf8").trim();
  const settings = { target: "ssh", sshHost: "192.0.2.20", sshUser: "student", sshHostKey: pinned, registryNamespace: "cmpt756" };
  const secrets = { sshPrivateKey: readFileSync(join(dir, "login"), "utf8"), registryToken: "push-secret", registryPullToken: "pull-secret" };
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program, { set: settings, secrets });
  });

  it("makes every container, network, pulled image and lab command again on it, by the pinned key", () => {
    madeAgainOnANewMachine(run, pinned);
  });

  it("keeps the named volumes and DynamoDB Local's tables, whose data is on the machine's disk", () => {
    keptOnANewMachine(run);
  });

  it("bootstraps it and installs Docker's TLS keys again: the commands run where the pinned key answers", () => {
    for (const name of ["host-bootstrap", "host-docker-tls"]) {
      const command = run.ofType(REMOTE_COMMAND).find((candidate) => candidate.name === name)!;
      expect(command.inputs.connection.hostKey).toBe(pinned);
    }
  });
});

describe("on the ec2 target, a new instance is a new machine", () => {
  let run: Run;
  let instanceId: string;
  beforeAll(async () => {
    run = await runStack("dev", program, { secrets: { registryToken: "ghp_test" } });
    instanceId = run.ofType(INSTANCE)[0].id;
  });

  it("makes every container, network (aws-credentials too), pulled image and lab command again on it, by the instance's ID", () => {
    madeAgainOnANewMachine(run, instanceId);
    expect(onEngine(run).filter((resource) => resource.type === NETWORK).map((network) => network.inputs.name)).toContain("aws-credentials");
  });

  it("keeps the named volumes, which are on the data volume the new instance mounts", () => {
    keptOnANewMachine(run);
  });

  it("waits for the new instance's cloud-init and installs Docker's TLS keys on it", () => {
    for (const name of ["host-wait-for-docker", "host-docker-tls"]) {
      const command = run.ofType(REMOTE_COMMAND).find((candidate) => candidate.name === name)!;
      expect(command.inputs.triggers).toContain(instanceId);
    }
  });
});

describe("on the local target, the engine is this machine's", () => {
  /** The ci stack's settings (test/deploy/ci-stack.yaml), as the deploy project's stack has them. */
  const ci = Object.fromEntries(Object.entries(stackFile("ci", "test/deploy/ci-stack.yaml")).map(([key, value]) => [key.replace(/^container-labs:/, ""), value]));

  it.each([
    ["local", {}],
    ["ci", ci],
  ])("the %s stack gives no resource a replacement trigger: a deployed stack sees no change", async (stack, set) => {
    const run = await runStack(stack, program, { set });
    expect(run.ofType(CONTAINER).length).toBeGreaterThan(20);
    expect(triggers(run.resources.filter((resource) => resource.replacementTrigger !== undefined))).toEqual([]);
  });
});
