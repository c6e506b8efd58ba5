import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { COURSE_NOTIFICATIONS_KEY, ConfigurationError, LAB_NAMES, MAX_CA_BUNDLE_BYTES, loadConfig, PROJECT, readConfig, TARGET_NAMES, type LabsConfig } from "../config";
import { ConfigReader } from "../components/config/reader";
import { isSecret, resolve, runStack, type RunOptions } from "./support/mocks";
import { projectProblems, schemaProblems, stackProblems } from "./support/pulumiRules";
import { projectFile, ROOT, stackFile } from "./support/stackConfig";

const load = async (stack: string, options: RunOptions = {}): Promise<LabsConfig> => (await runStack(stack, loadConfig, options)).outputs;
const problemsOf = async (stack: string, options: RunOptions): Promise<string[]> => {
  try {
    await load(stack, options);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems;
    throw err;
  }
  throw new Error("expected the configuration to be rejected");
};
const devSecrets = { registryToken: "ghp_test" };

/** A PEM file one byte over what a build secret may carry (MAX_CA_BUNDLE_BYTES). */
const OVERSIZED_CA_BUNDLE = oversizedCaBundle();
function oversizedCaBundle(): string {
  const file = join(mkdtempSync(join(tmpdir(), "ca-")), "big.pem");
  const header = "-----BEGIN CERTIFICATE-----\n";
  writeFileSync(file, header + "A".repeat(MAX_CA_BUNDLE_BYTES + 1 - header.length));
  return file;
}
const digest = "a".repeat(64);

describe("the project file and the committed stack files pass the Pulumi CLI's own rules", () => {
  it("Pulumi.yaml is a valid project file (the CLI's JSON schema and its own checks)", () => {
    expect(schemaProblems(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"))).toEqual([]);
    expect(projectProblems(projectFile())).toEqual([]);
  }, 120000);

  it.each([
    ["local", "Pulumi.local.yaml"],
    ["dev", "Pulumi.dev.yaml"],
    ["ci", "test/deploy/ci-stack.yaml"],
  ])("the %s stack (%s) has a value for every declared key and the right type for each", (stack, file) => {
    expect(stackProblems(projectFile(), stack, stackFile(stack, file))).toEqual([]);
  });

  it("declares no secret key: a secret can have no default, so it would be required on every stack", () => {
    const secrets = Object.entries(projectFile().config).filter(([, declaration]) => declaration.secret);
    expect(secrets).toEqual([]);
  });

  it("would catch a key declared without a default that a stack lacks, and a secret left in plain text", () => {
    const project = { name: PROJECT, config: { ...projectFile().config, registryToken: { type: "string", secret: true }, region: { type: "string" } } };
    expect(stackProblems(project, "local", stackFile("local")).sort()).toEqual([
      "Stack 'local' is missing configuration value region",
      "Stack 'local' is missing configuration value registryToken",
    ]);
    const withPlainToken = { ...stackFile("local"), "container-labs:registryToken": "ghp_plain", "container-labs:region": "x" };
    expect(stackProblems(project, "local", withPlainToken)).toEqual(["Stack 'local' with configuration key 'registryToken' must be encrypted as it's secret"]);
  });

  it("a new user's local stack needs no `config set`: the committed file alone is complete", async () => {
    expect(Object.keys(stackFile("local"))).toEqual(["container-labs:target"]);
    await expect(load("local")).resolves.toMatchObject({ target: "local" });
  });

  it("the dev stack needs only what the README tells a user to set", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const toSet = ["aws:region", "ec2AllowedCidr", "registryNamespace", "registryToken"];
    for (const key of toSet) expect(readme).toContain(`npm run pulumi -- config set ${key.startsWith("registryToken") ? "--secret registryToken" : key}`);
    const config = await load("dev", { secrets: devSecrets });
    expect(config.target).toBe("ec2");
  });

  it("every key the program reads is declared in Pulumi.yaml, and every declared key is read", () => {
    const keysRead = (target: string): string[] => {
      pulumi.runtime.setAllConfig({ "container-labs:target": target, "container-labs:labs": "[\"docker-basics\"]" }, []);
      const reader = new ConfigReader(PROJECT);
      try {
        readConfig(reader, "keys");
      } catch {
        // Everything but target and labs is missing here: only which keys were asked for matters.
      }
      return [...reader.declaredKeys];
    };
    const read = new Set(TARGET_NAMES.flatMap(keysRead));
    expect([...read].sort()).toEqual(Object.keys(projectFile().config).sort());
  });

  it("declares the labs key with every lab of the registry (components/labs), in its order, as default and in the description", () => {
    const labs = projectFile().config.labs;
    expect(labs.default).toEqual(LAB_NAMES);
    expect(labs.description).toContain(`any of ${LAB_NAMES.join(", ")}.`);
  });
});

describe("configuration of the local stack (Pulumi.yaml defaults + Pulumi.local.yaml)", () => {
  it("takes the engine DOCKER_HOST names when localDockerHost is not set, as Docker's own client does; localDockerHost wins over it", async () => {
    expect((await load("local", { dockerHost: "unix:///run/user/1000/docker.sock" })).dockerHost).toBe("unix:///run/user/1000/docker.sock");
    expect((await load("local", { dockerHost: "unix:///run/user/1000/docker.sock", set: { localDockerHost: "unix:///srv/engine.sock" } })).dockerHost).toBe("unix:///srv/engine.sock");
  });

  it("targets the configured engine with every lab enabled, ports on loopback only", async () => {
    const config = await load("local");
    expect(config.target).toBe("local");
    expect(config.labs).toEqual(LAB_NAMES);
    expect(config.dockerHost).toBe("unix:///var/run/docker.sock");
    expect(config.local).toEqual({
      dataDir: expect.stringMatching(/\.container-labs\/local$/),
      publishAddress: "127.0.0.1",
    });
    expect(config.registry).toBeUndefined();
    expect(config.ec2).toBeUndefined();
    expect(config.build).toEqual({ externalImages: {}, imageOverrides: {}, caBundle: undefined });
  });

  it("defaults the notifications key to the course's published key, kept secret", async () => {
    const config = await load("local");
    expect(await resolve(config.labSettings.notifications.secretKey)).toBe(COURSE_NOTIFICATIONS_KEY);
    expect(await isSecret(config.labSettings.notifications.secretKey)).toBe(true);
    expect(config.labSettings.notifications.probeRuns).toBe(3);
  });

  it("names the cmpt756 tables after the stack unless a suffix is set", async () => {
    expect((await load("local")).labSettings.cmpt756.tableSuffix).toBe("local");
    expect((await load("local", { set: { cmpt756TableSuffix: "abc123" } })).labSettings.cmpt756.tableSuffix).toBe("abc123");
  });

  it("takes external images from a mirror, pinned by digest or by the local engine's image ID", async () => {
    const config = await load("local", { set: { externalImages: [`redis=mirror.example/redis@sha256:${digest}`, `node=sha256:${digest}`] } });
    expect(config.build.externalImages).toEqual({ redis: `mirror.example/redis@sha256:${digest}`, node: `sha256:${digest}` });
  });

  it("reads an extra CA bundle for builds from a PEM file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ca-"));
    const file = join(dir, "proxy.pem");
    writeFileSync(file, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect((await load("local", { set: { buildCaBundle: file } })).build.caBundle).toContain("BEGIN CERTIFICATE");
  });
});

describe("configuration of the dev stack (Pulumi.dev.yaml)", () => {
  it("targets EC2 with ghcr.io credentials and the stack file's networks", async () => {
    const config = await load("dev", { secrets: devSecrets });
    expect(config.target).toBe("ec2");
    expect(config.ec2).toEqual({ instanceType: "t3.medium", allowedCidrs: ["198.51.100.0/24"], sshCidrs: ["198.51.100.0/24"], rootVolumeGb: 30, hostCount: 1, endpointMode: "vip" });
    expect(config.registry).toMatchObject({ server: "ghcr.io", namespace: "container-labs", push: { username: "container-labs" }, pull: undefined, caPem: undefined });
    expect(await resolve(config.registry!.push.token)).toBe("ghp_test");
    expect(await isSecret(config.registry!.push.token)).toBe(true);
    expect(config.labSettings.dockercoins.workers).toBe(2);
  });

  it("requires the ghcr token when images must be pushed, and says how to set it", async () => {
    const problems = await problemsOf("dev", {});
    expect(problems).toEqual([expect.stringMatching(/^container-labs:registryToken = null: required when the target is remote and images are built: they are pushed to the registry \(set it with --secret/)]);
  });

  it("needs no token when every enabled lab image is replaced by an external reference", async () => {
    const config = await load("dev", {
      set: {
        labs: ["notifications"],
        imageOverrides: [
          `notifications/notifications-service=ghcr.io/acme/notifications-service@sha256:${digest}`,
          `notifications/latency-probe=ghcr.io/acme/latency-probe@sha256:${digest}`,
        ],
      },
    });
    expect(config.registry).toBeUndefined();
    expect(config.build.imageOverrides["notifications/latency-probe"]).toBe(`ghcr.io/acme/latency-probe@sha256:${digest}`);
  });

  it("requires the allowed network and never opens SSH wider than it unless told", async () => {
    const problems = await problemsOf("dev", { secrets: devSecrets, set: { ec2AllowedCidr: "" } });
    expect(problems).toContain('container-labs:ec2AllowedCidr = null: an IPv4 CIDR such as 203.0.113.7/32');
    const ssh = await load("dev", { secrets: devSecrets, set: { ec2SshCidr: "192.0.2.7/32" } });
    expect(ssh.ec2?.sshCidrs).toEqual(["192.0.2.7/32"]);
  });

  it("refuses a network wider than a /16 for who may reach SSH and the Docker API, as the policy pack does, and says how to list several", async () => {
    for (const [key, cidr] of [["ec2AllowedCidr", "0.0.0.0/0"], ["ec2SshCidr", "0.0.0.0/1"], ["ec2SshCidr", "52.0.0.0/8"], ["ec2AllowedCidr", "52.0.0.0/8"], ["ec2AllowedCidr", "10.0.0.0/15"]]) {
      const problems = await problemsOf("dev", { secrets: devSecrets, set: { [key]: cidr } });
      expect(problems).toEqual([`container-labs:${key} = "${cidr}": your own networks (e.g. your IP/32): ${cidr} is wider than a /16, which opens the host's SSH and Docker API to networks that are not yours; list each network you use instead, separated by commas, none wider than /16`]);
    }
    const campus = await load("dev", { secrets: devSecrets, set: { ec2AllowedCidr: "52.94.0.0/16" } });
    expect(campus.ec2).toMatchObject({ allowedCidrs: ["52.94.0.0/16"], sshCidrs: ["52.94.0.0/16"] });
  });

  it("takes several networks separated by commas, each checked on its own", async () => {
    const several = await load("dev", { secrets: devSecrets, set: { ec2AllowedCidr: "52.1.0.0/16, 52.94.0.0/16,203.0.113.7/32" } });
    expect(several.ec2).toMatchObject({ allowedCidrs: ["52.1.0.0/16", "52.94.0.0/16", "203.0.113.7/32"], sshCidrs: ["52.1.0.0/16", "52.94.0.0/16", "203.0.113.7/32"] });
    expect(await problemsOf("dev", { secrets: devSecrets, set: { ec2SshCidr: "203.0.113.7/32,52.0.0.0/8" } })).toEqual([expect.stringMatching(/^container-labs:ec2SshCidr = "52\.0\.0\.0\/8": your own networks/)]);
    expect(await problemsOf("dev", { secrets: devSecrets, set: { ec2SshCidr: "203.0.113.7/32,," } })).toEqual([
      'container-labs:ec2SshCidr = "": an IPv4 CIDR such as 203.0.113.7/32',
      'container-labs:ec2SshCidr = "": an IPv4 CIDR such as 203.0.113.7/32',
    ]);
  });

  it("refuses an image ID in the mirror: the EC2 host cannot see this machine's images", async () => {
    const problems = await problemsOf("dev", { secrets: devSecrets, set: { externalImages: [`node=sha256:${digest}`] } });
    expect(problems).toEqual([`container-labs:externalImages = "node=sha256:${digest}": a reference pinned by digest (name@sha256:<64 hex>)`]);
  });
});

describe("a bad value stops the program with a message naming the key, the value and what is allowed", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown target", { target: "gcp" }, 'container-labs:target = "gcp": one of local, ec2, ssh'],
    ["an unknown lab", { labs: ["docker-basics", "swarm"] }, `container-labs:labs = ["docker-basics","swarm"]: lab names from ${LAB_NAMES.join(", ")} (unknown: swarm)`],
    ["a malformed CIDR", { kleewebSubnet: "172.18.0.0/33" }, 'container-labs:kleewebSubnet = "172.18.0.0/33": an IPv4 CIDR such as 203.0.113.7/32'],
    ["a gateway outside its subnet", { kleewebGateway: "10.0.0.1" }, 'container-labs:kleewebGateway = "10.0.0.1": an address inside 172.18.0.0/16'],
    ["a port out of range", { portRemap: ["8000=70000"] }, 'container-labs:portRemap = "8000=70000": entries "<published port>=<host port>", each port from 1 to 65535'],
    ["a count out of range", { dockercoinsWorkers: "51" }, 'container-labs:dockercoinsWorkers = "51": an integer from 0 to 50'],
    ["an unknown profile", { webstackProfile: "staging" }, 'container-labs:webstackProfile = "staging": one of dev, prod'],
    ["an override of an image no lab builds", { imageOverrides: [`cmpt756/s3=ghcr.io/a/b@sha256:${"0".repeat(64)}`] }, "container-labs:imageOverrides = \"cmpt756/s3=ghcr.io/a/b@sha256:"],
    ["an override not pinned by digest", { imageOverrides: ["cmpt756/s1=ghcr.io/a/s1:latest"] }, 'container-labs:imageOverrides = "cmpt756/s1=ghcr.io/a/s1:latest": an image reference pinned by digest (name@sha256:<64 hex>)'],
    ["a mirror entry for an image the labs do not use", { externalImages: [`mysql=m/mysql@sha256:${digest}`] }, `container-labs:externalImages = "mysql=m/mysql@sha256:${digest}": entries "<image>=<reference>" with <image> one of node, nginx, redis, postgres, dynamodb-local, klee`],
    ["a mirror entry by tag", { externalImages: ["redis=mirror.example/redis:7"] }, 'container-labs:externalImages = "redis=mirror.example/redis:7": a reference pinned by digest (name@sha256:<64 hex>) or an image ID of the local engine'],
    ["a relative data directory", { localDataDir: "data" }, 'container-labs:localDataDir = "data": an absolute directory path'],
    ["a publish address that is not one", { localPublishAddress: "everywhere" }, 'container-labs:localPublishAddress = "everywhere": an IPv4 address of this machine'],
    ["an engine endpoint without a scheme", { localDockerHost: "/var/run/docker.sock", labs: ["webstack"] }, 'container-labs:localDockerHost = "/var/run/docker.sock": a Docker endpoint such as unix:///var/run/docker.sock'],
    ["a TCP engine while kleeweb needs its socket", { localDockerHost: "tcp://127.0.0.1:2375" }, 'container-labs:localDockerHost = "tcp://127.0.0.1:2375": a unix:// socket while kleeweb is enabled'],
    ["a CA bundle that is not a PEM file", { buildCaBundle: "/nonexistent/ca.pem" }, 'container-labs:buildCaBundle = "/nonexistent/ca.pem": an absolute path to a PEM file of CA certificates'],
    ["a CA bundle too big for the environment variable builds get it in", { buildCaBundle: OVERSIZED_CA_BUNDLE }, `container-labs:buildCaBundle = "${OVERSIZED_CA_BUNDLE}": a PEM file of at most 122880 bytes (this one has 122881`],
    ["a table suffix DynamoDB refuses", { cmpt756TableSuffix: "a b" }, 'container-labs:cmpt756TableSuffix = "a b": letters, digits'],
  ];
  it.each(cases)("%s", async (_what, set, message) => {
    const problems = await problemsOf("local", { set });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(message)).toBe(true);
  });

  it("a value of the wrong type never reaches the program: the CLI refuses the stack first", async () => {
    await expect(load("local", { set: { cmpt756Seed: "yes" } })).rejects.toThrow("Stack 'local' with configuration key 'cmpt756Seed' must be of type 'boolean'");
    await expect(load("local", { set: { notificationsProbeRuns: "2.5" } })).rejects.toThrow("must be of type 'integer'");
  });

  it("reports every problem at once, one per line", async () => {
    const problems = await problemsOf("local", { set: { target: "gcp", dockercoinsWorkers: "-1" } });
    expect(problems).toHaveLength(2);
    await expect(runStack("local", loadConfig, { set: { target: "gcp", dockercoinsWorkers: "-1" } })).rejects.toThrow(
      /^invalid configuration:\n  - container-labs:target = "gcp": one of local, ec2, ssh\n  - container-labs:dockercoinsWorkers = "-1"/,
    );
  });

  it("rejects a notifications key that is not 32 bytes without printing the key", async () => {
    const problems = await problemsOf("local", { secrets: { notificationsSecretKey: "too-short-secret" } });
    expect(problems).toEqual(["container-labs:notificationsSecretKey = [secret]: exactly 32 bytes (the AES-256 key), got 16"]);
  });
});
