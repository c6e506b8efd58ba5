/**
 * target ssh under mocks: a Linux machine the user has, reached with their
 * key and only if it presents the pinned host key, bootstrapped over SSH
 * with the files EC2's cloud-init writes, then every remote host's part
 * (Docker's TLS, the provider, the registry). The same target runs for real
 * on the stand-in machine in the deploy project (test/deploy).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Server } from "ssh2";
import { ConfigurationError, loadConfig } from "../../config";
import { REMOTE_HOST_FILES, registryCaPath } from "../../components/platform/remote/hostFiles";
import { hostKeyFingerprint, SCANNED_HOST_KEY_FILE } from "../../components/platform/ssh/hostKey";
import { CONTAINER, published, REMOTE_COMMAND, program, type Run } from "../labs/helpers";
import { resolve, runStack } from "../support/mocks";

const dir = mkdtempSync(join(tmpdir(), "ssh-target-"));
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lab-vm", "-f", join(dir, "host")]);
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "login")]);
/** The host's public key file's line: "ssh-ed25519 AAAA... lab-vm". */
const HOST_KEY = readFileSync(join(dir, "host.pub"), "utf8").trim();
/** What is pinned: "<type> <base64>", without the comment. */
const PINNED = HOST_KEY.split(" ").slice(0, 2).join(" ");
const LOGIN_KEY = readFileSync(join(dir, "login"), "utf8");
const CA_FILE = join(dir, "registry-ca.pem");
writeFileSync(CA_FILE, "-----BEGIN CERTIFICATE-----\nMIIBregistry\n-----END CERTIFICATE-----\n");

const SSH_TARGET = {
  target: "ssh",
  sshHost: "192.0.2.20",
  sshUser: "student",
  sshHostKey: HOST_KEY,
  registryServer: "registry.example.edu:5000",
  registryNamespace: "cmpt756",
  registryUsername: "pusher",
  registryPullUsername: "puller",
  registryCaFile: CA_FILE,
};
const SECRETS = { sshPrivateKey: LOGIN_KEY, registryToken: "push-secret", registryPullToken: "pull-secret" };

const problemsOf = async (set: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<string[]> => {
  try {
    await runStack("local", loadConfig, { set, secrets });
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
};

/** The host key the ssh target's settings pin for the given configuration. */
const pinnedFor = async (set: Record<string, unknown>): Promise<string | undefined> => (await runStack("local", loadConfig, { set, secrets: SECRETS })).outputs.ssh?.hostKey;

describe("the ssh target's settings", () => {
  it("refuses to connect without the host's pinned key, and says how to read, check and pin it (on another port too)", async () => {
    const problems = await problemsOf({ ...SSH_TARGET, sshHostKey: "" }, SECRETS);
    expect(problems).toEqual([expect.stringMatching(/^container-labs:sshHostKey = "": the machine's SSH host public key/)]);
    expect(problems[0]).toContain("`ssh-keyscan -t ed25519 192.0.2.20 2>/dev/null | tee /tmp/container-labs-host-key` prints the line to pin");
    expect(problems[0]).toContain("`ssh-keygen -lf /tmp/container-labs-host-key` prints its fingerprint");
    expect(problems[0]).toContain("`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console");
    expect(problems[0]).toContain('`npm run pulumi -- config set sshHostKey "$(cat /tmp/container-labs-host-key)"`');
    const [otherPort] = await problemsOf({ ...SSH_TARGET, sshPort: 2222, sshHostKey: "" }, SECRETS);
    expect(otherPort).toContain("`ssh-keyscan -t ed25519 -p 2222 192.0.2.20 2>/dev/null | tee /tmp/container-labs-host-key`");
  });

  it("takes the line as ssh-keyscan prints it (the host first, [host]:port on another port) or as a key file has it, and pins \"<type> <base64>\"", async () => {
    expect(PINNED).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
    expect(await pinnedFor({ ...SSH_TARGET, sshHostKey: `192.0.2.20 ${PINNED}` })).toBe(PINNED);
    expect(await pinnedFor({ ...SSH_TARGET, sshPort: 2222, sshHostKey: `[192.0.2.20]:2222 ${PINNED}\n` })).toBe(PINNED);
    expect(await pinnedFor({ ...SSH_TARGET, sshHostKey: HOST_KEY })).toBe(PINNED);
  });

  it("names every missing setting at once: the address, the user, the login key", async () => {
    const problems = await problemsOf({ target: "ssh", sshHostKey: HOST_KEY, registryNamespace: "cmpt756" }, { registryToken: "t" });
    expect(problems.map((problem) => problem.split(" = ")[0])).toEqual(["container-labs:sshHost", "container-labs:sshUser", "container-labs:sshPrivateKey"]);
  });

  it("refuses a host key that is not one (a fingerprint, a truncated line), and a private key that is not one, without echoing the secret", async () => {
    const fingerprint = hostKeyFingerprint(HOST_KEY)!;
    expect(await problemsOf({ ...SSH_TARGET, sshHostKey: fingerprint }, SECRETS)).toEqual([expect.stringContaining("container-labs:sshHostKey")]);
    expect(await problemsOf({ ...SSH_TARGET, sshHostKey: HOST_KEY.slice(0, 40) }, SECRETS)).toEqual([expect.stringContaining("container-labs:sshHostKey")]);
    expect(await problemsOf({ ...SSH_TARGET, sshHostKey: `192.0.2.20 ${HOST_KEY.slice(0, 40)}` }, SECRETS)).toEqual([expect.stringContaining("container-labs:sshHostKey")]);
    // ssh-keyscan without -t (a line per key type: which one?), and a known_hosts line that is no host's key.
    expect(await problemsOf({ ...SSH_TARGET, sshHostKey: `192.0.2.20 ${PINNED}\n192.0.2.20 ${PINNED}` }, SECRETS)).toEqual([expect.stringContaining("container-labs:sshHostKey")]);
    expect(await problemsOf({ ...SSH_TARGET, sshHostKey: `@cert-authority 192.0.2.20 ${PINNED}` }, SECRETS)).toEqual([expect.stringContaining("container-labs:sshHostKey")]);
    const problems = await problemsOf(SSH_TARGET, { ...SECRETS, sshPrivateKey: "hunter2" });
    expect(problems).toEqual([expect.stringMatching(/^container-labs:sshPrivateKey = \[secret\]: a private key in OpenSSH or PEM form/)]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("computes the fingerprint OpenSSH shows for the pinned key, in every form it takes", () => {
    const openssh = execFileSync("ssh-keygen", ["-lf", join(dir, "host.pub")], { encoding: "utf8" }).split(" ")[1];
    for (const line of [HOST_KEY, PINNED, `192.0.2.20 ${PINNED}`, `[192.0.2.20]:2222 ${PINNED}`]) expect(hostKeyFingerprint(line)).toBe(openssh);
  });

  it("needs the registry only for images it must build", async () => {
    const problems = await problemsOf({ ...SSH_TARGET, registryNamespace: "" }, { sshPrivateKey: LOGIN_KEY });
    expect(problems.map((problem) => problem.split(" = ")[0])).toEqual(["container-labs:registryNamespace", "container-labs:registryToken"]);
  });
});

/**
 * The message's instructions followed as printed, against a real ssh-keyscan
 * and ssh-keygen: the machine is an SSH server (ssh2's, in this process) on
 * 127.0.0.1 presenting the host key above, on a port other than 22.
 */
describe("the sshHostKey message's commands, run as printed", () => {
  const run = promisify(execFile);
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = new Server({ hostKeys: [readFileSync(join(dir, "host"))] }, (client) => client.on("error", () => undefined));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("print the line to pin (ssh-keyscan's, the host first), its fingerprint to compare, and pin that very line as \"<type> <base64>\"", async () => {
    const [message] = await problemsOf({ ...SSH_TARGET, sshHost: "127.0.0.1", sshPort: port, sshHostKey: "" }, SECRETS);
    // The commands of the message, keeping the scanned line in this test's directory rather than /tmp's.
    const kept = join(dir, "scanned-host-key");
    const commands = [...message.matchAll(/`([^`]+)`/g)].map((match) => match[1].split(SCANNED_HOST_KEY_FILE).join(kept));
    const command = (start: string) => commands.find((each) => each.startsWith(start))!;
    const bash = async (line: string) => (await run("bash", ["--norc", "-c", line])).stdout;

    const printed = await bash(command("ssh-keyscan "));
    expect(printed).toBe(`[127.0.0.1]:${port} ${PINNED}\n`);
    expect(readFileSync(kept, "utf8")).toBe(printed);

    const compared = await bash(command(`ssh-keygen -lf ${kept}`));
    const onTheMachine = execFileSync("ssh-keygen", ["-lf", join(dir, "host.pub")], { encoding: "utf8" });
    expect(compared.split(" ")[1]).toMatch(/^SHA256:/);
    expect(compared.split(" ")[1]).toBe(onTheMachine.split(" ")[1]);

    // The value `config set` receives: the command's last argument, as the shell expands it.
    const pin = command("npm run pulumi -- config set sshHostKey ");
    const value = await bash(`printf %s ${pin.slice("npm run pulumi -- config set sshHostKey ".length)}`);
    expect(value).toBe(printed.trim());
    expect(await pinnedFor({ ...SSH_TARGET, sshHost: "127.0.0.1", sshPort: port, sshHostKey: value })).toBe(PINNED);
  });
});

describe("the ssh target's Docker host", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program, { set: SSH_TARGET, secrets: SECRETS });
  });
  const command = (name: string) => run.one(REMOTE_COMMAND, "create", run.ofType(REMOTE_COMMAND).find((c) => c.name === name)!.inputs.create);

  it("connects as the user with their key, kept secret, and only to the pinned host key", () => {
    const commands = run.ofType(REMOTE_COMMAND);
    expect(commands.length).toBeGreaterThan(10);
    for (const each of commands) {
      expect({ name: each.name, connection: each.inputs.connection }).toEqual({
        name: each.name,
        connection: { host: "192.0.2.20", port: 22, user: "student", hostKey: PINNED },
      });
      expect(each.inputs.privateKey).toBe(LOGIN_KEY);
      expect(each.secretInputs).toContain("privateKey");
    }
  });

  it("bootstraps the machine with every remote host's files, the registry's CA, the data directory and Docker's installer", () => {
    const bootstrap = command("host-bootstrap");
    expect(bootstrap.inputs.create).toBe("sudo -n bash -s");
    const script = bootstrap.inputs.stdin as string;
    for (const file of REMOTE_HOST_FILES) {
      expect(script).toContain(`put '${file.path}' ${file.permissions} ${Buffer.from(file.content).toString("base64")}`);
    }
    expect(script).toContain(`put '${registryCaPath("registry.example.edu:5000")}' 0644 ${Buffer.from(readFileSync(CA_FILE, "utf8")).toString("base64")}`);
    expect(script).toContain("install -d -m 0755 /var/lib/container-labs");
    expect(script).toContain("/usr/local/sbin/container-labs-install-docker 'student' docker-repository");
    // The distribution's docker.io on request (a machine that cannot reach Docker's repository).
    return runStack("local", program, { set: { ...SSH_TARGET, sshDockerSource: "distribution" }, secrets: SECRETS }).then((other) => {
      const stdin = other.ofType(REMOTE_COMMAND).find((c) => c.name === "host-bootstrap")!.inputs.stdin as string;
      expect(stdin).toContain("/usr/local/sbin/container-labs-install-docker 'student' distribution");
    });
  });

  it("installs Docker's TLS keys after the bootstrap, then reaches the engine over mutual TLS at the host's address", async () => {
    const tls = command("host-docker-tls");
    expect(tls.dependsOn).toEqual(["host-bootstrap"]);
    expect(tls.secretInputs).toContain("stdin");
    const server = run.ofType("tls:index/certRequest:CertRequest").find((request) => request.name === "host-server-csr")!;
    expect(server.inputs.ipAddresses).toEqual(["192.0.2.20", "127.0.0.1"]);
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.host).toBe("tcp://192.0.2.20:2376");
    expect(provider.dependsOn).toEqual(["host-docker-tls"]);
    expect(await resolve(run.outputs.hostAddress)).toBe("192.0.2.20");
  });

  it("pushes the images from this machine's engine to the registry and pulls them on the host with the pull account only", () => {
    const builds = run.ofType("docker-build:index:Image");
    expect(builds.length).toBeGreaterThan(15);
    for (const build of builds) {
      expect(build.inputs.tags[0]).toMatch(/^registry\.example\.edu:5000\/cmpt756\/[a-z0-9-]+:local$/);
      expect(build.inputs).toMatchObject({ push: true, load: false, exec: true, builder: { name: "default" } });
    }
    const [builder] = run.ofType("pulumi:providers:docker-build");
    expect(builder.inputs.host).toBe("unix:///var/run/docker.sock");
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.registryAuth).toEqual([{ address: "registry.example.edu:5000", username: "puller", password: "pull-secret" }]);
    expect(JSON.stringify(provider.inputs)).not.toContain("push-secret");
  });

  it("publishes the lab ports on every address, labelled as limited by the machine's own firewall", () => {
    expect(published(run, "dockercoins-webui")).toEqual(["0.0.0.0:8000->80"]);
    const webui = run.one(CONTAINER, "name", "dockercoins-webui");
    expect(webui.inputs.labels).toEqual(expect.arrayContaining([{ label: "container-labs.exposure", value: "host-firewall" }]));
  });

  it("makes cmpt756's DynamoDB Local tables through an SSH session to the host, whose loopback holds its port", () => {
    const tables = run.ofType("pulumi-nodejs:dynamic/container-labs:LocalDynamoTable");
    expect(tables.length).toBe(2);
    for (const table of tables) {
      expect(table.inputs).toMatchObject({ endpoint: "http://localhost:18000", ssh: { host: "192.0.2.20", port: 22, user: "student", hostKey: PINNED }, sshPrivateKey: LOGIN_KEY });
      expect(table.secretInputs).toContain("sshPrivateKey");
      expect(table.options.additionalSecretOutputs).toEqual(["sshPrivateKey"]);
    }
    expect(published(run, "dynamodb-local")).toEqual(["127.0.0.1:18000->8000"]);
  });

  it("keeps lab data under /var/lib/container-labs, made by root for the containers' user", () => {
    const dirs = run.ofType(REMOTE_COMMAND).filter((c) => /install -d -m 0750 -o 1000 -g 1000/.test(c.inputs.create));
    expect(dirs.map((c) => c.inputs.create)).toContain("sudo install -d -m 0750 -o 1000 -g 1000 '/var/lib/container-labs/notifications'");
  });
});
