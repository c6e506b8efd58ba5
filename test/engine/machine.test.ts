/**
 * The ec2 target's bootstrap on a real machine: the stand-in machine
 * (scripts/standins/machine, Debian bookworm with systemd, sshd and
 * cloud-init) boots with the very cloud-config document the ec2 target gives
 * its instance (cloudConfig), a loop disk of this host as its data volume.
 * Then it is reached as the program reaches an instance: over SSH with the
 * pinned host key (the readiness gate, the TLS installer), and Docker over
 * mutual TLS. The metadata firewall is put to real requests: a stand-in
 * metadata service (the test kit's metadata.ts) sits at 169.254.169.254,
 * routed as on an instance, and containers of the machine's own dockerd ask
 * it for the role's credentials. Then a reboot (and the metadata checks
 * again), and an instance replacement on the same disk.
 * One difference from EC2, as the README says: Docker comes from Debian's
 * docker.io (the installer's `distribution` source), since Docker's apt
 * repository is unreachable here.
 *
 * In the unit project, not the deploy one: it needs neither Pulumi nor the ci
 * stack, and takes about a minute (a boot, a reboot and a replacement).
 * Needs root and the engine with its fixtures: `scripts/test-engine.sh start && scripts/standins/build.sh`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import {
  MACHINE_DISK,
  attachLoopDisk,
  detachLoopDisks,
  freePort,
  makeMetadataClientImage,
  METADATA_ADDRESS,
  METADATA_CLIENT_TIMEOUT_SECONDS,
  metadataFromContainer,
  metadataFromHost,
  removeMachine,
  requireEngine,
  requireFixture,
  startMachine,
  startMetadataStandin,
  waitFor,
  type Engine,
  type Machine,
} from "@container-labs/test-kit";
import { cloudConfig, ec2File, LOGIN_USER } from "../../components/platform/ec2/cloudInit";
import { AWS_CREDENTIALS_NETWORK, INSTANCE_METADATA_ADDRESS, METADATA_HOP_LIMIT } from "../../components/platform/remote/awsCredentials";
import { HOST_DATA_DIR, TLS_INSTALLER } from "../../components/platform/remote/hostFiles";
import { ownerLabels } from "../../components/platform/labels";
import { DOCKER_TLS_PORT } from "../../policy/lib/network";

const MINUTE = 60_000;
const NAME = `cl-machine-test-${process.pid}`;
const VOLUME_ID = "vol-0123456789abcdef0";
/** Where mount-data-volume.sh mounts the data volume. */
const DATA_MOUNT = "/srv/container-labs";
/** The instance role's name the stand-in metadata service gives. */
const ROLE = "cl-standin-instance-role";
/** The lab network beside aws-credentials: cmpt756's, whose datastore joins both. */
const LAB_NETWORK = "cmpt756";
/** imds-firewall.sh's chain. */
const FIREWALL_CHAIN = "CONTAINER-LABS-IMDS";

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command of this host, `input` on its stdin; resolves whatever its exit. */
function run(command: string, args: string[], options: { input?: string; cwd?: string; timeoutMs?: number } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, timeout: options.timeoutMs ?? MINUTE });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
    // A command that exits before reading its input (ssh refused) closes stdin: its exit code tells.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

async function ok(command: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const exit = await run(command, args, options);
  if (exit.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${exit.code}: ${exit.stderr}${exit.stdout}`);
  return exit.stdout;
}

/**
 * The keys the program generates for an instance, made here with ssh-keygen
 * and openssl: the SSH host key and the login key (ED25519, OpenSSH
 * encodings), and Docker's TLS: a CA, a server certificate for 127.0.0.1 and
 * a client certificate (ECDSA P-256, as tlsCredentials.ts issues them). Also
 * a client certificate from another CA, which Docker must refuse.
 */
async function makeKeys(dir: string): Promise<void> {
  await ok("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "host-key")]);
  await ok("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "login-key")]);
  const script = `
    set -euo pipefail
    key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }
    ca() { key "$1-key.pem"; openssl req -x509 -new -key "$1-key.pem" -subj "/O=container-labs/CN=$1" -days 1 -out "$1.pem" \\
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature; }
    issue() { # name CA commonName extendedKeyUsage [subjectAltName]
      key "$1-key.pem"
      openssl req -new -key "$1-key.pem" -subj "/O=container-labs/CN=$3" -out "$1.csr"
      printf 'keyUsage=digitalSignature,keyEncipherment\\nextendedKeyUsage=%s\\n%s\\n' "$4" "\${5:+subjectAltName=$5}" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 1 -extfile "$1.ext" -out "$1-cert.pem" 2>/dev/null
    }
    ca ca; ca other-ca
    issue server ca docker-host serverAuth IP:127.0.0.1,DNS:localhost
    issue client ca pulumi clientAuth
    issue stranger other-ca pulumi clientAuth`;
  await ok("bash", ["-c", script], { cwd: dir });
}

let engine: Engine;
let image: string;
let dir: string;
let disk: string;
let userData: string;
const ports = { ssh: 0, docker: 0 };
const machines: string[] = [];
let machine: Machine;
const seconds: Record<string, number> = {};

const file = (name: string) => readFileSync(join(dir, name), "utf8");

/** The SSH options of the program's connections: the login key, and only the pinned host key trusted. */
function sshArgs(): string[] {
  return [
    "-i", join(dir, "login-key"),
    "-p", String(ports.ssh),
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=5",
    "-o", "LogLevel=ERROR",
    `${LOGIN_USER}@127.0.0.1`,
  ];
}
const ssh = (command: string, input?: string) => run("ssh", [...sshArgs(), command], { input, timeoutMs: 10 * MINUTE });
const sshOk = (command: string, input?: string) => ok("ssh", [...sshArgs(), command], { input, timeoutMs: 10 * MINUTE });

/** The Docker 20.10 client against the machine's 2376, with the given client certificate (or none). */
const dockerTls = (client: "client" | "stranger" | null, args: string[]) =>
  run("/usr/bin/docker", [
    "--tlsverify",
    "--tlscacert", join(dir, "ca.pem"),
    ...(client ? ["--tlscert", join(dir, `${client}-cert.pem`), "--tlskey", join(dir, `${client}-key.pem`)] : []),
    "--host", `tcp://127.0.0.1:${ports.docker}`,
    ...args,
  ]);

/** Boots a machine (a new instance: its own instance ID and root volume) with the data disk, as the program's connection finds it. */
async function boot(name: string): Promise<Machine> {
  machines.push(name);
  const metaData = stringify({ "instance-id": `i-${name}`, "local-hostname": name, "public-keys": [file("login-key.pub").trim()] });
  const started = Date.now();
  const booted = await startMachine(engine, { image, name, seed: { userData, metaData }, disk, publish: { 22: ports.ssh, [DOCKER_TLS_PORT]: ports.docker } });
  // sshd comes up during the boot: dial until it answers, as the program's connection does (dialErrorLimit -1).
  await waitFor(`SSH on ${name}`, async () => (await ssh("true")).code === 0, { timeoutMs: 5 * MINUTE, intervalMs: 250 });
  // The ec2 target's readiness gate, run as the program runs it.
  await sshOk(ec2File("wait-for-docker.sh"));
  seconds[`${name} ready`] = (Date.now() - started) / 1000;
  return booted;
}

/** Packets the metadata firewall has refused with a TCP reset (its rule's counter). */
async function tcpResets(): Promise<number> {
  const listing = await machine.exec(["iptables", "-w", "-n", "-v", "-x", "-L", FIREWALL_CHAIN]);
  const rule = listing.split("\n").find((line) => line.includes("tcp-reset"));
  if (!rule) throw new Error(`no tcp-reset rule in ${FIREWALL_CHAIN}:\n${listing}`);
  return Number(rule.trim().split(/\s+/)[0]);
}

/**
 * The stand-in metadata service put on the machine (as it is there on an
 * instance from its first packet), then asked from the machine and from
 * containers of its dockerd: on aws-credentials, on it and the lab's network
 * (the datastore's shape: its default route goes through aws-credentials),
 * and on the lab's network only, which the firewall's TCP rule refuses with a
 * reset (curl: could not connect, at once; a dropped packet would wait out
 * the client's timeout, exit 28), the rule's counter says so.
 */
async function expectOnlyAwsCredentialsReachMetadata(): Promise<void> {
  await startMetadataStandin(engine, machine, { role: ROLE, hopLimit: METADATA_HOP_LIMIT });
  // The three clients let through ask side by side; the refused one alone, between two reads of the reset counter.
  expect(await Promise.all([
    metadataFromHost(machine),
    metadataFromContainer(machine, [AWS_CREDENTIALS_NETWORK.name]),
    metadataFromContainer(machine, [LAB_NETWORK, AWS_CREDENTIALS_NETWORK.name]),
  ])).toEqual([{ role: ROLE }, { role: ROLE }, { role: ROLE }]);
  const resets = await tcpResets();
  const refused = await metadataFromContainer(machine, [LAB_NETWORK]);
  expect(refused).toEqual({ exit: 7, said: expect.stringMatching(/^curl: \(7\) Failed to connect to 169\.254\.169\.254 port 80 after \d+ ms: Couldn't connect to server$/) });
  // The time is the behaviour: a reset refuses in milliseconds, a dropped packet waits out the client's
  // timeout. Half that timeout is far over 3x the one and half the other.
  expect(Number(/after (\d+) ms/.exec((refused as { said: string }).said)?.[1])).toBeLessThan((METADATA_CLIENT_TIMEOUT_SECONDS * 1000) / 2);
  expect(await tcpResets()).toBe(resets + 1);
}

const mountSource = (target: string) => machine.exec(["findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", target]);

beforeAll(async () => {
  engine = await requireEngine();
  image = await requireFixture(engine, "machine");
  dir = mkdtempSync(join(tmpdir(), "cl-machine-test-"));
  await makeKeys(dir);
  [ports.ssh, ports.docker] = [await freePort(), await freePort()];
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${ports.ssh} ${file("host-key.pub").trim()}\n`);
  disk = await attachLoopDisk(join(dir, "data-volume.img"), 1024);
  userData = cloudConfig({
    dataVolumeId: VOLUME_ID,
    hostKey: { privateKeyOpenssh: file("host-key"), publicKeyOpenssh: file("host-key.pub") },
    dockerSource: "distribution",
  });
  machine = await boot(NAME);
}, 12 * MINUTE);

afterAll(async () => {
  for (const name of machines) await removeMachine(engine, name);
  if (dir) {
    await detachLoopDisks(join(dir, "data-volume.img"));
    rmSync(dir, { recursive: true, force: true });
  }
  console.info(`stand-in machine, seconds: ${JSON.stringify(seconds)}`);
}, 5 * MINUTE);

describe("a machine booted with the ec2 target's cloud-config", () => {
  it("finishes its boot with no failed unit, and cloud-init with no error on a document its schema accepts", async () => {
    expect(await machine.booted()).toBe("running");
    expect(await machine.exec(["cloud-init", "status", "--long"])).toMatch(/^status: done$/m);
    // cloud-init 22.4 only logs a schema error and goes on: the schema check is what shows it.
    expect(await machine.exec(["sh", "-c", "cloud-init schema --system 2>&1"])).toMatch(/Valid cloud-config: system userdata/);
  }, 2 * MINUTE);

  it("writes every file the document lists, as root, with its content and permissions", async () => {
    const written = (parse(userData) as { write_files: Array<{ path: string; permissions: string; content: string }> }).write_files;
    expect(written.length).toBeGreaterThan(0);
    for (const entry of written) {
      const [mode, owner] = (await machine.exec(["stat", "-c", "%a %U:%G", entry.path])).split(" ");
      expect({ path: entry.path, mode, owner, content: await machine.exec(["cat", entry.path]) }).toEqual({
        path: entry.path,
        mode: entry.permissions.replace(/^0/, ""),
        owner: "root:root",
        content: entry.content.trim(),
      });
    }
  }, 2 * MINUTE);

  it("presents the pinned host key and no other, to a client that trusts only that key", async () => {
    const scanned = await ok("ssh-keyscan", ["-p", String(ports.ssh), "-t", "rsa,ecdsa,ed25519", "127.0.0.1"]);
    expect(scanned.split("\n").map((line) => line.split(" ").slice(1).join(" "))).toEqual([file("host-key.pub").trim()]);
    expect(await sshOk("id -un")).toBe(LOGIN_USER);
  }, 2 * MINUTE);

  it("formatted the blank data disk on its first boot and mounts it at the data directory and under Docker's volumes", async () => {
    expect(await machine.exec(["cat", "/var/log/cloud-init-output.log"])).toContain(`container-labs-mount-data: ${VOLUME_ID} (${MACHINE_DISK}) holds nothing (blkid -p, wipefs, lsblk): formatting it`);
    expect(await mountSource(DATA_MOUNT)).toBe(MACHINE_DISK);
    expect(await mountSource(HOST_DATA_DIR)).toBe(`${MACHINE_DISK}[/data]`);
    expect(await mountSource("/var/lib/docker/volumes")).toBe(`${MACHINE_DISK}[/docker-volumes]`);
    // The login user (uid 1000, as the labs' images' user) writes lab data there.
    await sshOk(`echo lab data > ${HOST_DATA_DIR}/kept.txt`);
  }, 2 * MINUTE);

  it("has the metadata firewall unit active, its rule first in DOCKER-USER, and Docker installed from the distribution's package", async () => {
    expect(await machine.exec(["systemctl", "is-active", "container-labs-imds-firewall.service", "docker.service"])).toBe("active\nactive");
    expect((await machine.exec(["iptables", "-w", "-S", "DOCKER-USER"])).split("\n")[1]).toBe("-A DOCKER-USER -d 169.254.169.254/32 -j CONTAINER-LABS-IMDS");
    expect(await machine.exec(["dpkg-query", "-W", "-f", "${Status}", "docker.io"])).toBe("install ok installed");
    // The login user runs docker (the installer's usermod), on overlay2 (its data root is a volume), with volumes on the data disk.
    expect(await sshOk("docker info --format '{{.Driver}}' && docker volume create kept-volume")).toBe("overlay2\nkept-volume");
    expect(await machine.exec(["ls", `${DATA_MOUNT}/docker-volumes`])).toMatch(/^kept-volume$/m);
  }, 2 * MINUTE);

  it("answers on 2376 over mutual TLS once the TLS installer has run over SSH, and refuses a client without a certificate from its CA", async () => {
    expect((await dockerTls("client", ["version"])).code).not.toBe(0);
    const installed = await sshOk(`sudo ${TLS_INSTALLER}`, file("ca.pem") + file("server-cert.pem") + file("server-key.pem"));
    expect(installed).toContain("dockerd listens on 2376 with TLS");
    // The daemon the document configured (daemon.json: live-restore), answering a client with the CA's certificate.
    expect(await dockerTls("client", ["info", "--format", "{{.Driver}} live-restore={{.LiveRestoreEnabled}}"])).toMatchObject({ code: 0, stdout: "overlay2 live-restore=true" });
    for (const client of [null, "stranger"] as const) {
      const refused = await dockerTls(client, ["version", "--format", "{{.Server.Version}}"]);
      expect({ client, code: refused.code, said: refused.stderr }).toEqual({ client, code: 1, said: expect.stringMatching(/bad certificate|certificate required/) });
    }
  }, 5 * MINUTE);
});

describe("the metadata firewall, with a stand-in metadata service at 169.254.169.254", () => {
  it("lets containers on the aws-credentials network get the role's credentials, refuses a lab network's, and lets the host through", async () => {
    const started = Date.now();
    await makeMetadataClientImage(machine);
    // The networks as the program makes them (remote/remoteHost.ts, network.ts, the cmpt756 lab).
    const network = (name: string, lab: string, options: string[] = []) =>
      machine.exec(["docker", "network", "create", "--driver", "bridge", ...options, ...ownerLabels({ lab }).flatMap(({ label, value }) => ["--label", `${label}=${value}`]), name]);
    await network(AWS_CREDENTIALS_NETWORK.name, "platform", ["--opt", `com.docker.network.bridge.name=${AWS_CREDENTIALS_NETWORK.bridge}`]);
    await network(LAB_NETWORK, LAB_NETWORK);
    // The stand-in sits where the program's firewall expects the metadata service.
    expect(METADATA_ADDRESS).toBe(INSTANCE_METADATA_ADDRESS);
    await expectOnlyAwsCredentialsReachMetadata();
    seconds["metadata firewall"] = (Date.now() - started) / 1000;
  }, 5 * MINUTE);

  it("is what refuses the lab's container (without its rule the request gets through), and its unit run again restores the same rules", async () => {
    const rules = async () => machine.exec(["sh", "-c", `iptables -w -S DOCKER-USER && iptables -w -S ${FIREWALL_CHAIN}`]);
    const before = await rules();
    await machine.exec(["iptables", "-w", "-D", "DOCKER-USER", "-d", `${INSTANCE_METADATA_ADDRESS}/32`, "-j", FIREWALL_CHAIN]);
    expect(await metadataFromContainer(machine, [LAB_NETWORK])).toEqual({ role: ROLE });
    for (let time = 0; time < 2; time++) await machine.exec(["systemctl", "restart", "container-labs-imds-firewall.service"]);
    expect(await rules()).toBe(before);
    expect(await metadataFromContainer(machine, [LAB_NETWORK])).toMatchObject({ exit: 7 });
  }, 2 * MINUTE);
});

describe("the faults a real instance meets", () => {
  /** systemd's monotonic time (µs since boot) at which a unit, or the mount at a path, became active. */
  const activeSince = async (unit: string) => Number(await machine.exec(["systemctl", "show", "--property", "ActiveEnterTimestampMonotonic", "--value", unit]));

  it("a reboot: the data disk's mounts, then the firewall, then Docker come back, and Docker answers over TLS again", async () => {
    const started = Date.now();
    await machine.reboot();
    expect(await machine.booted()).toBe("running");
    await sshOk(ec2File("wait-for-docker.sh"));
    seconds["reboot to ready"] = (Date.now() - started) / 1000;
    const docker = Number(await machine.exec(["systemctl", "show", "--property", "ExecMainStartTimestampMonotonic", "--value", "docker.service"]));
    for (const before of [DATA_MOUNT, HOST_DATA_DIR, "/var/lib/docker/volumes", "container-labs-imds-firewall.service"]) {
      const since = await activeSince(before);
      expect({ before, since: since > 0, beforeDocker: since < docker }).toEqual({ before, since: true, beforeDocker: true });
    }
    expect(await mountSource(DATA_MOUNT)).toBe(MACHINE_DISK);
    expect((await dockerTls("client", ["volume", "ls", "--format", "{{.Name}}"])).stdout).toMatch(/^kept-volume$/m);
  }, 10 * MINUTE);

  it("after the reboot, only the aws-credentials network's containers reach the metadata service again", async () => {
    const started = Date.now();
    await expectOnlyAwsCredentialsReachMetadata();
    seconds["metadata firewall after the reboot"] = (Date.now() - started) / 1000;
  }, 2 * MINUTE);

  it("an instance replacement: a new machine from the same image and document finds the data on the same disk, and formats nothing", async () => {
    const uuid = await machine.exec(["blkid", "-p", "-s", "UUID", "-o", "value", MACHINE_DISK]);
    await machine.remove();
    machine = await boot(`${NAME}-2`);
    expect(await machine.exec(["cat", "/var/log/cloud-init-output.log"])).not.toContain("formatting it");
    expect(await machine.exec(["blkid", "-p", "-s", "UUID", "-o", "value", MACHINE_DISK])).toBe(uuid);
    expect(await sshOk(`cat ${HOST_DATA_DIR}/kept.txt && docker volume ls --format '{{.Name}}'`)).toBe("lab data\nkept-volume");
  }, 15 * MINUTE);
});
