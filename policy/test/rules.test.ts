import type { PolicyProviderResource } from "@pulumi/policy";
import * as rules from "../rules";
import { TYPES } from "../lib/resourceTypes";
import { violations, type ResourceUnderTest } from "./evaluate";

const DIGEST = "a".repeat(64);
const label = (key: string, value: string) => ({ label: key, value });

describe("no-admin-ports-open-to-the-world", () => {
  const policy = rules.noAdminPortsOpenToTheWorld;
  const group = (...ingress: Array<Record<string, unknown>>): ResourceUnderTest => ({ type: TYPES.securityGroup, props: { ingress } });
  const tcp = (fromPort: number, toPort: number, cidrBlocks: string[], ipv6CidrBlocks?: string[]) => ({ protocol: "tcp", fromPort, toPort, cidrBlocks, ipv6CidrBlocks });

  it("allows SSH and the Docker API from a named network, and lab ports from anywhere", async () => {
    expect(await violations(policy, group(tcp(22, 22, ["203.0.113.7/32"]), tcp(2376, 2376, ["203.0.113.0/24"]), tcp(8000, 8000, ["0.0.0.0/0"])))).toEqual([]);
  });

  it.each([
    ["SSH from 0.0.0.0/0", tcp(22, 22, ["0.0.0.0/0"]), [22]],
    ["the plaintext Docker API from ::/0", tcp(2375, 2375, [], ["::/0"]), [2375]],
    ["a range 2000-3000 covering both Docker API ports", tcp(2000, 3000, ["0.0.0.0/0"]), [2375, 2376]],
    ["every protocol (-1)", { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, [22, 2375, 2376]],
  ])("rejects a security group opening %s", async (_what, ingress, ports) => {
    const found = await violations(policy, group(ingress));
    expect(found.map((message) => Number(/opens port (\d+)/.exec(message)?.[1]))).toEqual(ports);
  });

  it("ignores UDP on port 22, and egress to the world", async () => {
    expect(await violations(policy, group({ protocol: "udp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }))).toEqual([]);
    expect(await violations(policy, { type: TYPES.securityGroupRule, props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] } })).toEqual([]);
  });

  it("checks standalone rules of both kinds", async () => {
    const rule = { type: TYPES.securityGroupRule, props: { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] } };
    const vpcRule = { type: TYPES.securityGroupIngressRule, props: { ipProtocol: "tcp", fromPort: 2376, toPort: 2376, cidrIpv6: "::/0" } };
    expect(await violations(policy, rule)).toEqual([expect.stringContaining("opens port 22 (SSH)")]);
    expect(await violations(policy, vpcRule)).toEqual([expect.stringContaining("opens port 2376 (the Docker API (TLS))")]);
    expect(await violations(policy, { ...vpcRule, props: { ...vpcRule.props, cidrIpv6: undefined, cidrIpv4: "198.51.100.0/24" } })).toEqual([]);
  });
});

describe("EC2 instances", () => {
  const instance = (props: Record<string, unknown>): ResourceUnderTest => ({
    type: TYPES.instance,
    props: { metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true }, ...props },
  });

  it("pass with IMDSv2 required and an encrypted root volume", async () => {
    expect(await violations(rules.instancesRequireImdsV2, instance({}))).toEqual([]);
    expect(await violations(rules.rootVolumesEncrypted, instance({}))).toEqual([]);
  });

  it("must require IMDSv2 tokens: optional or unset fails", async () => {
    expect(await violations(rules.instancesRequireImdsV2, instance({ metadataOptions: { httpTokens: "optional" } }))).toEqual([expect.stringContaining('"optional"')]);
    expect(await violations(rules.instancesRequireImdsV2, instance({ metadataOptions: undefined }))).toHaveLength(1);
  });

  it("must encrypt the root volume: false or unset fails", async () => {
    expect(await violations(rules.rootVolumesEncrypted, instance({ rootBlockDevice: { encrypted: false } }))).toHaveLength(1);
    expect(await violations(rules.rootVolumesEncrypted, instance({ rootBlockDevice: undefined }))).toHaveLength(1);
  });
});

describe("dynamodb-pitr-and-encryption", () => {
  const policy = rules.dynamoTablesRecoverableAndEncrypted;
  const table = (props: Record<string, unknown>, provider?: PolicyProviderResource): ResourceUnderTest => ({
    type: TYPES.dynamoTable,
    props: { name: "User-dev", pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true }, ...props },
    provider,
  });
  const awsProvider = (props: Record<string, unknown>): PolicyProviderResource => ({
    type: TYPES.awsProvider,
    name: "cmpt756-dynamodb-provider",
    urn: "urn:pulumi:local::container-labs::pulumi:providers:aws::cmpt756-dynamodb-provider",
    props,
  });
  const bare = { pointInTimeRecovery: undefined, serverSideEncryption: undefined };

  it("passes a table with point-in-time recovery and encryption", async () => {
    expect(await violations(policy, table({}, awsProvider({ region: "eu-west-1" })))).toEqual([]);
  });

  it("reports each missing feature on a real table", async () => {
    expect(await violations(policy, table(bare, awsProvider({ region: "eu-west-1" })))).toEqual([
      expect.stringContaining("point-in-time recovery"),
      expect.stringContaining("server-side encryption"),
    ]);
    expect(await violations(policy, table({ serverSideEncryption: { enabled: false } }))).toEqual([expect.stringContaining("server-side encryption")]);
  });

  it("exempts tables made through a provider pointed at DynamoDB Local on loopback, endpoints as a list or as JSON text", async () => {
    const endpoints = [{ dynamodb: "http://localhost:18000" }];
    expect(await violations(policy, table(bare, awsProvider({ endpoints })))).toEqual([]);
    expect(await violations(policy, table(bare, awsProvider({ endpoints: JSON.stringify([{ dynamodb: "http://127.0.0.1:8000" }]) })))).toEqual([]);
  });

  it("does not exempt a provider whose DynamoDB endpoint is a remote host, or another provider type", async () => {
    expect(await violations(policy, table(bare, awsProvider({ endpoints: [{ dynamodb: "https://dynamodb.eu-west-1.amazonaws.com" }] })))).toHaveLength(2);
    expect(await violations(policy, table(bare, { ...awsProvider({ endpoints: [{ dynamodb: "http://localhost:8000" }] }), type: "pulumi:providers:docker" }))).toHaveLength(2);
  });
});

describe("containers", () => {
  const container = (props: Record<string, unknown>, opts?: ResourceUnderTest["opts"]): ResourceUnderTest => ({
    type: TYPES.container,
    props: { name: "kleeweb-worker", image: `sha256:${DIGEST}`, labels: [label("container-labs.lab", "kleeweb")], ...props },
    opts,
  });

  describe("no-privileged-containers", () => {
    it("passes an unprivileged container and rejects a privileged one", async () => {
      expect(await violations(rules.noPrivilegedContainers, container({ privileged: false }))).toEqual([]);
      expect(await violations(rules.noPrivilegedContainers, container({ privileged: true }))).toHaveLength(1);
    });
  });

  describe("docker-socket-only-for-job-workers", () => {
    const policy = rules.dockerSocketOnlyForJobWorkers;
    const socketVolume = { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] };
    const jobWorker = [label("container-labs.lab", "kleeweb"), label("container-labs.role", "job-worker")];

    it("lets a container labelled container-labs.role=job-worker mount the socket", async () => {
      expect(await violations(policy, container({ ...socketVolume, labels: jobWorker }))).toEqual([]);
    });

    it("rejects the socket as a volume hostPath or a bind mount source on any other container", async () => {
      expect(await violations(policy, container(socketVolume))).toEqual([expect.stringContaining("/var/run/docker.sock")]);
      expect(await violations(policy, container({ mounts: [{ type: "bind", source: "/run/docker.sock", target: "/var/run/docker.sock" }] }))).toEqual([expect.stringContaining("/run/docker.sock")]);
      expect(await violations(policy, container({ ...socketVolume, labels: [label("container-labs.role", "web")] }))).toHaveLength(1);
    });

    it("ignores other host paths and named volumes", async () => {
      expect(await violations(policy, container({ volumes: [{ hostPath: "/srv/data", containerPath: "/data" }, { volumeName: "docker.sock", containerPath: "/x" }] }))).toEqual([]);
    });
  });

  describe("images-pinned-by-digest", () => {
    const policy = rules.imagesPinnedByDigest;

    it.each([
      ["an image ID", `sha256:${DIGEST}`],
      ["a reference pinned by digest", `ghcr.io/acme/cmpt756-s1:dev@sha256:${DIGEST}`],
    ])("runs %s", async (_what, image) => {
      expect(await violations(policy, container({ image }))).toEqual([]);
    });

    it.each([
      ["a tag", "redis:7"],
      ["a registry tag", "ghcr.io/acme/cmpt756-s1:dev"],
      ["a short ID", "sha256:abc"],
      ["a truncated digest", `redis@sha256:${DIGEST.slice(1)}`],
    ])("refuses to run %s", async (_what, image) => {
      expect(await violations(policy, container({ image }))).toEqual([expect.stringContaining(JSON.stringify(image))]);
    });
  });

  describe("no-plaintext-credentials-in-container-env", () => {
    const policy = rules.noPlaintextCredentialsInContainerEnv;
    const envs = (...entries: string[]) => container({ envs: entries });

    it("passes ordinary settings", async () => {
      expect(await violations(policy, envs("PORT=3000", "DB_URL=http://db:30002/api/v1/datastore", "TOKEN_TTL_SECONDS=60", "REDIS_URL=redis://redis:6379"))).toEqual([]);
    });

    it.each([
      ["POSTGRES_PASSWORD=x", "named like a credential"],
      ["JWT_SECRET=x", "named like a credential"],
      ["svc_loader_token=x", "named like a credential"],
      ["GITHUB_API_KEY=x", "named like a credential"],
      ["GOOGLE_CREDENTIALS=x", "named like a credential"],
      ["S3_KEY=AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"],
      [`CLONE_WITH=ghp_${"x".repeat(36)}`, "a GitHub token"],
      ["TLS_KEY=-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a PEM private key"],
      ["DATABASE_URL=postgres://app:hunter2@postgres:5432/app", "a URL with a password"],
    ])("flags %s (%s) when the envs are not secret", async (entry, why) => {
      expect(await violations(policy, envs(entry))).toEqual([expect.stringContaining(why)]);
    });

    it("accepts credentials in a container whose envs are declared secret (additionalSecretOutputs)", async () => {
      const secretEnvs = container({ envs: ["JWT_SECRET=x", "DATABASE_URL=postgres://app:hunter2@postgres/app"] }, { additionalSecretOutputs: ["envs"] });
      expect(await violations(policy, secretEnvs)).toEqual([]);
      expect(await violations(policy, { ...secretEnvs, opts: { additionalSecretOutputs: ["command"] } })).toHaveLength(2);
    });
  });
});

describe("images-pinned-by-digest on pulled images", () => {
  const policy = rules.imagesPinnedByDigest;
  const pull = (name: string, stack = "local"): ResourceUnderTest => ({ type: TYPES.remoteImage, props: { name }, stack });

  it("pulls references pinned by digest", async () => {
    expect(await violations(policy, pull(`amazon/dynamodb-local:2.5.4@sha256:${DIGEST}`, "dev"))).toEqual([]);
  });

  it("exempts exactly container-labs/<repository>:<this stack>, the tag of an image built and loaded locally", async () => {
    expect(await violations(policy, pull("container-labs/cmpt756-s1:local"))).toEqual([]);
    expect(await violations(policy, pull("container-labs/cmpt756-s1:dev", "local"))).toHaveLength(1);
    expect(await violations(policy, pull("ghcr.io/container-labs/cmpt756-s1:local"))).toHaveLength(1);
    expect(await violations(policy, pull("container-labs/cmpt756-s1:latest"))).toHaveLength(1);
  });

  it("refuses a tag alone", async () => {
    expect(await violations(policy, pull("postgres:16"))).toEqual([expect.stringContaining('"postgres:16"')]);
  });
});

describe("data-volumes-survive-destroy", () => {
  const policy = rules.dataVolumesSurviveDestroy;
  const volume = (labels: Array<{ label: string; value: string }>, protect = false): ResourceUnderTest => ({
    type: TYPES.volume,
    props: { name: "postgres_data", labels },
    opts: { protect },
  });
  const data = label("container-labs.data", "true");

  it("accepts a protected data volume, or one declared retained on delete", async () => {
    expect(await violations(policy, volume([data], true))).toEqual([]);
    expect(await violations(policy, volume([data, label("container-labs.retain-on-delete", "true")]))).toEqual([]);
  });

  it("rejects a data volume that a destroy would delete", async () => {
    expect(await violations(policy, volume([data]))).toEqual([expect.stringContaining('"postgres_data"')]);
  });

  it("leaves scratch volumes alone", async () => {
    expect(await violations(policy, volume([label("container-labs.lab", "docker-basics")]))).toEqual([]);
  });
});

describe("each rule", () => {
  it("is mandatory, named and described, and ignores resource types it does not govern", async () => {
    const unrelated: ResourceUnderTest = { type: "random:index/randomPassword:RandomPassword", props: { privileged: true, ingress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] } };
    for (const policy of rules.resourcePolicies) {
      expect(policy).toMatchObject({ enforcementLevel: "mandatory", name: expect.stringMatching(/^[a-z0-9-]+$/), description: expect.any(String) });
      expect(await violations(policy, unrelated)).toEqual([]);
    }
    expect(new Set(rules.resourcePolicies.map((policy) => policy.name)).size).toBe(rules.resourcePolicies.length);
  });
});
