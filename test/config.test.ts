import { COURSE_NOTIFICATIONS_KEY, ConfigurationError, loadConfig, type LabsConfig } from "../config";
import { isSecret, resolve, runStack, type RunOptions } from "./support/mocks";
import { projectFile } from "./support/stackConfig";

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
const devSecrets = { ghcrToken: "ghp_test" };

describe("configuration of the local stack (Pulumi.yaml defaults + Pulumi.local.yaml)", () => {
  it("targets this machine's engine with every lab enabled", async () => {
    const config = await load("local");
    expect(config.target).toBe("local");
    expect(config.labs).toEqual(["docker-basics", "notifications", "cmpt756", "webstack", "dockercoins", "kleeweb"]);
    expect(config.local?.dockerHost).toBe("unix:///var/run/docker.sock");
    expect(config.local?.dataDir).toMatch(/\.container-labs\/local$/);
    expect(config.registry).toBeUndefined();
    expect(config.ec2).toBeUndefined();
  });

  it("defaults the notifications key to the course's published key, kept secret", async () => {
    const config = await load("local");
    expect(await resolve(config.notifications.secretKey)).toBe(COURSE_NOTIFICATIONS_KEY);
    expect(await isSecret(config.notifications.secretKey)).toBe(true);
    expect(config.notifications.probeRuns).toBe(3);
  });

  it("names the cmpt756 tables after the stack unless a suffix is set", async () => {
    expect((await load("local")).cmpt756.tableSuffix).toBe("local");
    expect((await load("local", { set: { cmpt756TableSuffix: "abc123" } })).cmpt756.tableSuffix).toBe("abc123");
  });
});

describe("configuration of the dev stack (Pulumi.dev.yaml)", () => {
  it("targets EC2 with ghcr.io credentials and the stack file's networks", async () => {
    const config = await load("dev", { secrets: devSecrets });
    expect(config.target).toBe("ec2");
    expect(config.ec2).toEqual({ instanceType: "t3.medium", allowedCidr: "198.51.100.0/24", sshCidr: "198.51.100.0/24", rootVolumeGb: 30 });
    expect(config.registry?.owner).toBe("container-labs");
    expect(await resolve(config.registry!.token)).toBe("ghp_test");
    expect(await isSecret(config.registry!.token)).toBe(true);
    expect(config.dockercoins.workers).toBe(2);
  });

  it("requires the ghcr token when images must be pushed, and says how to set it", async () => {
    const problems = await problemsOf("dev", {});
    expect(problems).toEqual([expect.stringMatching(/^container-labs:ghcrToken = null: required when target is ec2: images are pushed to ghcr.io \(set it with --secret/)]);
  });

  it("needs no token when every enabled lab image is replaced by an external reference", async () => {
    const digest = "a".repeat(64);
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
    expect(config.imageOverrides["notifications/latency-probe"]).toBe(`ghcr.io/acme/latency-probe@sha256:${digest}`);
  });

  it("requires the allowed network and never opens SSH wider than it unless told", async () => {
    const problems = await problemsOf("dev", { secrets: devSecrets, set: { ec2AllowedCidr: "" } });
    expect(problems).toContain('container-labs:ec2AllowedCidr = null: an IPv4 CIDR such as 203.0.113.7/32');
    const open = await load("dev", { secrets: devSecrets, set: { ec2SshCidr: "0.0.0.0/0" } });
    expect(open.ec2?.sshCidr).toBe("0.0.0.0/0");
  });
});

describe("a bad value stops the program with a message naming the key, the value and what is allowed", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown target", { target: "gcp" }, 'container-labs:target = "gcp": one of local, ec2'],
    ["an unknown lab", { labs: ["docker-basics", "swarm"] }, 'container-labs:labs = ["docker-basics","swarm"]: lab names from docker-basics, notifications, cmpt756, webstack, dockercoins, kleeweb (unknown: swarm)'],
    ["a malformed CIDR", { kleewebSubnet: "172.18.0.0/33" }, 'container-labs:kleewebSubnet = "172.18.0.0/33": an IPv4 CIDR such as 203.0.113.7/32'],
    ["a gateway outside its subnet", { kleewebGateway: "10.0.0.1" }, 'container-labs:kleewebGateway = "10.0.0.1": an address inside 172.18.0.0/16'],
    ["a port out of range", { portRemap: ["8000=70000"] }, 'container-labs:portRemap = "8000=70000": entries "<published port>=<host port>", each port from 1 to 65535'],
    ["a count out of range", { dockercoinsWorkers: "51" }, 'container-labs:dockercoinsWorkers = "51": an integer from 0 to 50'],
    ["a number that is not an integer", { notificationsProbeRuns: "2.5" }, 'container-labs:notificationsProbeRuns = "2.5": an integer from 1 to 100'],
    ["an unknown profile", { webstackProfile: "staging" }, 'container-labs:webstackProfile = "staging": one of dev, prod'],
    ["a boolean that is not one", { cmpt756Seed: "yes" }, 'container-labs:cmpt756Seed = "yes": true or false'],
    ["an override of an image no lab builds", { imageOverrides: [`cmpt756/s3=ghcr.io/a/b@sha256:${"0".repeat(64)}`] }, "container-labs:imageOverrides = \"cmpt756/s3=ghcr.io/a/b@sha256:"],
    ["an override not pinned by digest", { imageOverrides: ["cmpt756/s1=ghcr.io/a/s1:latest"] }, 'container-labs:imageOverrides = "cmpt756/s1=ghcr.io/a/s1:latest": an image reference pinned by digest (name@sha256:<64 hex>)'],
    ["a relative data directory", { localDataDir: "data" }, 'container-labs:localDataDir = "data": an absolute directory path'],
    ["a table suffix DynamoDB refuses", { cmpt756TableSuffix: "a b" }, 'container-labs:cmpt756TableSuffix = "a b": letters, digits'],
  ];
  it.each(cases)("%s", async (_what, set, message) => {
    const problems = await problemsOf("local", { set });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(message)).toBe(true);
  });

  it("reports every problem at once, one per line", async () => {
    const problems = await problemsOf("local", { set: { target: "gcp", dockercoinsWorkers: "-1" } });
    expect(problems).toHaveLength(2);
    await expect(runStack("local", loadConfig, { set: { target: "gcp", dockercoinsWorkers: "-1" } })).rejects.toThrow(
      /^invalid configuration:\n  - container-labs:target = "gcp": one of local, ec2\n  - container-labs:dockercoinsWorkers = "-1"/,
    );
  });

  it("rejects a notifications key that is not 32 bytes without printing the key", async () => {
    const problems = await problemsOf("local", { secrets: { notificationsSecretKey: "too-short-secret" } });
    expect(problems).toEqual(["container-labs:notificationsSecretKey = [secret]: exactly 32 bytes (the AES-256 key), got 16"]);
  });
});

describe("Pulumi.yaml", () => {
  it("declares every key with a type and a description, and marks secrets", () => {
    const { config } = projectFile();
    for (const [key, declaration] of Object.entries(config)) {
      expect([key, typeof declaration.type, typeof declaration.description]).toEqual([key, "string", "string"]);
    }
    expect(config.ghcrToken.secret).toBe(true);
    expect(config.notificationsSecretKey.secret).toBe(true);
  });

  it("declares the same defaults the program falls back to", async () => {
    // With only the declared defaults, the program must see exactly what it assumes when a key is absent.
    const { config } = projectFile();
    const withDefaults = await load("local");
    const unset: Record<string, unknown> = {};
    for (const key of Object.keys(config)) if (key !== "target") unset[key] = "";
    const withoutAny = await load("local", { set: unset });
    const comparable = (c: LabsConfig) => ({ ...c, notifications: { probeRuns: c.notifications.probeRuns } });
    expect(comparable(withoutAny)).toEqual(comparable(withDefaults));
  });
});
