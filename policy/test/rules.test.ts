import * as rules from "../rules";
import { TYPES } from "../lib/resourceTypes";
import { stackViolations, violations, type ResourceUnderTest } from "./evaluate";

const DIGEST = "a".repeat(64);
const label = (key: string, value: string) => ({ label: key, value });

describe("no-admin-ports-open-to-the-world (judged over the stack)", () => {
  const policy = rules.noAdminPortsOpenToTheWorld;
  const group = (...ingress: Array<Record<string, unknown>>): ResourceUnderTest => ({ type: TYPES.securityGroup, name: "host-sg", props: { ingress } });
  const tcp = (fromPort: number, toPort: number, cidrBlocks: string[], ipv6CidrBlocks?: string[]) => ({ protocol: "tcp", fromPort, toPort, cidrBlocks, ipv6CidrBlocks });
  const found = async (...resources: ResourceUnderTest[]) => (await stackViolations(policy, resources)).map((violation) => violation.message);
  const theWorld = (messages: string[]) => messages.filter((message) => message.includes("opens it to the internet"));

  it("allows SSH and the Docker API from named networks, and lab ports from anywhere", async () => {
    expect(await found(group(tcp(22, 22, ["203.0.113.7/32"]), tcp(2376, 2376, ["203.0.113.0/24", "198.18.0.0/16"]), tcp(8000, 8000, ["0.0.0.0/0"])))).toEqual([]);
  });

  it.each([
    ["SSH from 0.0.0.0/0", tcp(22, 22, ["0.0.0.0/0"]), [22]],
    ["the plaintext Docker API from ::/0", tcp(2375, 2375, [], ["::/0"]), [2375]],
    ["a range 2000-3000 covering both Docker API ports", tcp(2000, 3000, ["0.0.0.0/0"]), [2375, 2376]],
    ["every protocol (-1)", { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, [22, 2375, 2376]],
  ])("rejects a security group opening %s", async (_what, ingress, ports) => {
    const world = theWorld(await found(group(ingress)));
    expect(world.map((message) => Number(/port (\d+)/.exec(message)?.[1]))).toEqual(ports);
  });

  it("ignores UDP on port 22, and egress to the world", async () => {
    expect(await found(group({ protocol: "udp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }))).toEqual([]);
    expect(await found({ type: TYPES.securityGroupRule, props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] } })).toEqual([]);
  });

  it.each([
    ["two halves of IPv4 (0.0.0.0/1 and 128.0.0.0/1) in one permission", [tcp(22, 22, ["0.0.0.0/1", "128.0.0.0/1"])]],
    ["the halves split across two permissions of the same group", [tcp(22, 22, ["0.0.0.0/1"]), tcp(22, 22, ["128.0.0.0/1"])]],
    ["a /7 (two /8s' worth of addresses)", [tcp(22, 22, ["4.0.0.0/7"])]],
    ["IPv6's global unicast range 2000::/3 (every public IPv6 host)", [tcp(22, 22, [], ["2000::/3"])]],
    ["an IPv6 /0 spelled out in full", [tcp(22, 22, [], ["0000:0000:0000:0000:0000:0000:0000:0000/0"])]],
  ])("treats %s as the world", async (_what, ingress) => {
    expect(theWorld(await found(group(...ingress)))).toEqual([expect.stringContaining("port 22 (SSH): ingress from")]);
  });

  it.each([
    [22, "SSH"],
    [2376, "the Docker API (TLS)"],
  ])("refuses 52.0.0.0/8 (AWS's own space, less than a /8's share) on port %i, saying to list several networks", async (port, service) => {
    expect(await found(group(tcp(port, port, ["52.0.0.0/8"])))).toEqual([
      `security group host-sg: port ${port} (${service}): 52.0.0.0/8 is wider than a /16: list each of your own networks as its own range instead (ec2AllowedCidr / ec2SshCidr: separated by commas; in a security group: several cidrBlocks entries, or one rule each), none wider than /16 (IPv6 /32)`,
    ]);
    expect(await found(group(tcp(port, port, ["52.1.0.0/16", "52.94.0.0/16"])))).toEqual([]);
  });

  it("refuses an IPv6 range wider than a /32, and accepts a university's /16 with an ISP's IPv6 /32", async () => {
    expect(await found(group(tcp(22, 22, [], ["2001:db8::/31"])))).toEqual([expect.stringContaining("2001:db8::/31 is wider than a /32")]);
    expect(await found(group(tcp(22, 22, ["198.18.0.0/16"], ["2001:db8::/32"])))).toEqual([]);
  });

  it("counts only the ranges that reach the port: ranges on different ports are not added up", async () => {
    const slash16s = (count: number, offset: number) => Array.from({ length: count }, (_, index) => `${offset + index}.0.0.0/16`);
    expect(await found(group(tcp(22, 22, slash16s(200, 1)), tcp(2376, 2376, slash16s(200, 1))))).toEqual([]);
  });

  it("fails closed on a range it cannot read", async () => {
    expect(await found(group(tcp(22, 22, ["everyone"])))).toEqual([expect.stringContaining('"everyone" is not a CIDR range'), expect.stringContaining("opens it to the internet")]);
  });

  describe("separate rule resources, joined to their group", () => {
    const slash8 = (index: number) => `${index}.0.0.0/8`;
    // 256 /8s: each alone is wider than a /16, and together they are all of IPv4.
    const vpcRules = Array.from({ length: 256 }, (_, index): ResourceUnderTest => ({
      type: TYPES.securityGroupIngressRule,
      name: `ssh-${index}`,
      props: { securityGroupId: "sg-0123", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: slash8(index) },
      propertyDependencies: { securityGroupId: ["host-sg"] },
    }));

    it("adds up 256 separate /8 rules of one group (aws.vpc.SecurityGroupIngressRule) into the world", async () => {
      const messages = await found(group(tcp(2376, 2376, ["203.0.113.7/32"])), ...vpcRules);
      expect(theWorld(messages)).toEqual([expect.stringMatching(/^security group host-sg: port 22 \(SSH\): ingress from 0\.0\.0\.0\/8, 1\.0\.0\.0\/8, .* opens it to the internet/)]);
    });

    it("adds up separate rules by the group ID they name when the group is not in the stack", async () => {
      const byId = vpcRules.map((rule) => ({ ...rule, propertyDependencies: undefined }));
      const messages = await stackViolations(policy, byId);
      expect(theWorld(messages.map((violation) => violation.message))).toEqual([expect.stringMatching(/^security group sg-0123: port 22/)]);
    });

    it("adds up aws.ec2.SecurityGroupRule halves with the group's inline ingress", async () => {
      const half: ResourceUnderTest = {
        type: TYPES.securityGroupRule,
        name: "ssh-upper-half",
        props: { type: "ingress", securityGroupId: "sg-0123", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["128.0.0.0/1"] },
        propertyDependencies: { securityGroupId: ["host-sg"] },
      };
      const messages = await stackViolations(policy, [group(tcp(22, 22, ["0.0.0.0/1"])), half]);
      expect(messages.filter((violation) => violation.message.includes("opens it to the internet"))).toEqual([
        { message: expect.stringContaining("ingress from 0.0.0.0/1, 128.0.0.0/1"), urn: expect.stringMatching(/::host-sg$/) },
      ]);
    });

    it("checks a lone rule of either kind, and ignores one whose ranges are narrow", async () => {
      const rule = { type: TYPES.securityGroupRule, props: { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] } };
      const vpcRule = { type: TYPES.securityGroupIngressRule, props: { ipProtocol: "tcp", fromPort: 2376, toPort: 2376, cidrIpv6: "::/0" } };
      expect(theWorld(await found(rule))).toEqual([expect.stringContaining("port 22 (SSH)")]);
      expect(theWorld(await found(vpcRule))).toEqual([expect.stringContaining("port 2376 (the Docker API (TLS))")]);
      expect(await found({ ...vpcRule, props: { ...vpcRule.props, cidrIpv6: undefined, cidrIpv4: "198.51.100.0/24" } })).toEqual([]);
    });
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
  const table = (props: Record<string, unknown>): ResourceUnderTest => ({
    type: TYPES.dynamoTable,
    props: { name: "User-dev", pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true }, ...props },
  });
  const bare = { pointInTimeRecovery: undefined, serverSideEncryption: undefined };

  it("passes a table with point-in-time recovery and encryption", async () => {
    expect(await violations(policy, table({}))).toEqual([]);
  });

  it("reports each missing feature on a real table", async () => {
    expect(await violations(policy, table(bare))).toEqual([
      expect.stringContaining("point-in-time recovery"),
      expect.stringContaining("server-side encryption"),
    ]);
    expect(await violations(policy, table({ serverSideEncryption: { enabled: false } }))).toEqual([expect.stringContaining("server-side encryption")]);
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

describe("hardened containers (CIS Docker Benchmark 5.x)", () => {
  const HARDENED = {
    memory: 256,
    cpuShares: 512,
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    readOnly: true,
  };
  const container = (props: Record<string, unknown>, labels: Array<{ label: string; value: string }> = []): ResourceUnderTest => ({
    type: TYPES.container,
    props: { name: "webstack-app", image: `sha256:${DIGEST}`, labels: [label("container-labs.lab", "webstack"), ...labels], ...HARDENED, ...props },
  });
  const HARDENING_RULES = [rules.containersHaveResourceLimits, rules.containersDropPrivileges, rules.containersHaveReadOnlyRoot];
  const allFound = async (resource: ResourceUnderTest) => (await Promise.all(HARDENING_RULES.map((policy) => violations(policy, resource)))).flat();

  it("passes a container with memory and CPU limits, every capability dropped, no-new-privileges and a read-only root", async () => {
    expect(await allFound(container({}))).toEqual([]);
    expect(await allFound(container({ cpuShares: undefined, cpus: "0.5", securityOpts: ["no-new-privileges"] }))).toEqual([]);
  });

  describe("containers-have-resource-limits", () => {
    const policy = rules.containersHaveResourceLimits;

    it.each([
      ["no memory limit", { memory: undefined }, "memory"],
      ["a zero memory limit", { memory: 0 }, "memory"],
      ["neither cpuShares nor cpus", { cpuShares: undefined }, "CPU"],
      ["cpus of 0", { cpuShares: undefined, cpus: "0" }, "CPU"],
    ])("rejects %s", async (_what, props, named) => {
      expect(await violations(policy, container(props))).toEqual([expect.stringContaining(named)]);
    });

    it("reports both limits of a container that has neither", async () => {
      expect(await violations(policy, container({ memory: undefined, cpuShares: undefined }))).toHaveLength(2);
    });
  });

  describe("containers-drop-privileges", () => {
    const policy = rules.containersDropPrivileges;

    it.each([
      ["no capabilities block", { capabilities: undefined }, "ALL"],
      ["dropping some capabilities but not ALL", { capabilities: { drops: ["NET_RAW", "MKNOD"] } }, "ALL"],
      ["no security options", { securityOpts: undefined }, "no-new-privileges"],
      ["no-new-privileges switched off", { securityOpts: ["no-new-privileges:false"] }, "no-new-privileges"],
      ["only a seccomp profile", { securityOpts: ["seccomp=unconfined"] }, "no-new-privileges"],
    ])("rejects %s", async (_what, props, named) => {
      expect(await violations(policy, container(props))).toEqual([expect.stringContaining(named)]);
    });

    it("accepts ALL in any case, with capabilities added back", async () => {
      expect(await violations(policy, container({ capabilities: { drops: ["all"], adds: ["NET_BIND_SERVICE"] } }))).toEqual([]);
    });

    it("checks job workers like every other container (the Docker socket is their one exemption, elsewhere)", async () => {
      const worker = container({ capabilities: undefined, securityOpts: [] }, [label("container-labs.role", "job-worker")]);
      expect(await violations(policy, worker)).toHaveLength(2);
    });
  });

  describe("containers-have-read-only-root", () => {
    const policy = rules.containersHaveReadOnlyRoot;

    it("rejects a writable root filesystem without a reason", async () => {
      expect(await violations(policy, container({ readOnly: false }))).toEqual([expect.stringContaining("container-labs.writable-root")]);
      expect(await violations(policy, container({ readOnly: undefined }))).toHaveLength(1);
      expect(await violations(policy, container({ readOnly: false }, [label("container-labs.writable-root", "")]))).toHaveLength(1);
    });

    it("accepts a writable root filesystem labelled container-labs.writable-root with a reason", async () => {
      expect(await violations(policy, container({ readOnly: false }, [label("container-labs.writable-root", "postgres writes its socket and PID file under /var/run")]))).toEqual([]);
    });
  });
});

describe("containers-run-as-non-root", () => {
  const policy = rules.containersRunAsNonRoot;
  const running = (user: string | undefined, labels: Array<{ label: string; value: string }> = []): ResourceUnderTest => ({
    type: TYPES.container,
    props: { name: "kleeweb-redis", image: `sha256:${DIGEST}`, user, labels: [label("container-labs.lab", "kleeweb"), ...labels] },
  });

  it.each([["redis"], ["1000"], ["1000:1000"], ["node:node"], [undefined]])("passes user %s (unset: the image's USER)", async (user) => {
    expect(await violations(policy, running(user))).toEqual([]);
  });

  it.each([["root"], ["0"], ["0:0"], ["root:wheel"], [" root "]])("refuses user %j without a reason", async (user) => {
    expect(await violations(policy, running(user))).toEqual([expect.stringContaining("container-labs.runs-as-root=<why it must start as root>")]);
  });

  it("accepts root labelled container-labs.runs-as-root with a reason, and not with a blank one", async () => {
    expect(await violations(policy, running("root", [label("container-labs.runs-as-root", "chown: hands a fresh volume to the server's user")]))).toEqual([]);
    expect(await violations(policy, running("root", [label("container-labs.runs-as-root", " ")]))).toHaveLength(1);
  });
});

describe("containers-have-a-pids-limit (judged over the stack)", () => {
  const policy = rules.containersHaveAPidsLimit;
  const service = (name: string, labels: Array<{ label: string; value: string }> = []): ResourceUnderTest => ({
    type: TYPES.container,
    name,
    props: { name, image: `sha256:${DIGEST}`, labels: [label("container-labs.lab", "kleeweb"), ...labels] },
  });
  const limit = (name: string, create: string, dependsOn: string[]): ResourceUnderTest => ({
    type: "pulumi-nodejs:dynamic/container-labs:LocalCommand",
    name,
    props: { create },
    dependsOn,
  });
  const found = async (...resources: ResourceUnderTest[]) => (await stackViolations(policy, resources)).map((violation) => violation.message);

  it("passes containers a command limits after they start (docker update --pids-limit), as the Service component does", async () => {
    expect(await found(service("web-1"), service("web-2"), limit("web-pids-limit", "docker update --pids-limit 256 web-1-id web-2-id >/dev/null", ["web-1", "web-2"]))).toEqual([]);
  });

  it("refuses a container no such command depends on, naming it", async () => {
    const violations = await stackViolations(policy, [service("web-1"), service("redis"), limit("web-pids-limit", "docker update --pids-limit 256 web-1-id", ["web-1"])]);
    expect(violations).toEqual([{ message: expect.stringMatching(/^container redis has no pids limit: .*container-labs\.no-pids-limit=<why it cannot have one>/), urn: expect.stringMatching(/::redis$/) }]);
  });

  it("does not count a command that sets no limit (0, none) or limits something else", async () => {
    expect(await found(service("web-1"), limit("unlimit", "docker update --pids-limit 0 web-1-id", ["web-1"]))).toHaveLength(1);
    expect(await found(service("web-1"), limit("mem", "docker update --memory 256m web-1-id", ["web-1"]))).toHaveLength(1);
    expect(await found(service("web-1"), service("web-2"), limit("web-pids-limit", "docker update --pids-limit 256 web-2-id", ["web-2"]))).toHaveLength(1);
  });

  it("accepts a container labelled container-labs.no-pids-limit with a reason, and not with a blank one", async () => {
    expect(await found(service("seed", [label("container-labs.no-pids-limit", "one-shot: it runs to its end while the provider creates it")]))).toEqual([]);
    expect(await found(service("seed", [label("container-labs.no-pids-limit", "")]))).toHaveLength(1);
  });
});

describe("host-ports-on-loopback-unless-explained", () => {
  const policy = rules.hostPortsOnLoopbackUnlessExplained;
  const publishing = (ports: Array<Record<string, unknown>>, labels: Array<{ label: string; value: string }> = []): ResourceUnderTest => ({
    type: TYPES.container,
    props: { name: "kleeweb-nginx", image: `sha256:${DIGEST}`, labels: [label("container-labs.lab", "kleeweb"), ...labels], ports },
  });

  it("accepts ports published on loopback, and containers that publish none", async () => {
    expect(await violations(policy, publishing([{ internal: 80, external: 80, ip: "127.0.0.1" }, { internal: 81, external: 81, ip: "::1" }]))).toEqual([]);
    expect(await violations(policy, publishing([]))).toEqual([]);
  });

  it.each([
    ["0.0.0.0", { internal: 80, external: 80, ip: "0.0.0.0" }, "0.0.0.0:80"],
    ["no address (Docker's default, every interface)", { internal: 8000, external: 8000 }, "0.0.0.0:8000"],
    ["a LAN address", { internal: 80, external: 8080, ip: "192.168.1.10" }, "192.168.1.10:8080"],
    ["IPv6's any address", { internal: 80, external: 80, ip: "::" }, ":::80"],
  ])("rejects a port published on %s without a reason", async (_what, port, shown) => {
    expect(await violations(policy, publishing([port]))).toEqual([expect.stringContaining(shown)]);
  });

  it("accepts a non-loopback port on a container labelled container-labs.exposure with a reason, and not with an empty one", async () => {
    const open = [{ internal: 80, external: 80, ip: "0.0.0.0" }];
    expect(await violations(policy, publishing(open, [label("container-labs.exposure", "security-group")]))).toEqual([]);
    expect(await violations(policy, publishing(open, [label("container-labs.exposure", "lan")]))).toEqual([]);
    expect(await violations(policy, publishing(open, [label("container-labs.exposure", " ")]))).toHaveLength(1);
  });
});

describe("ebs-volumes-encrypted", () => {
  const policy = rules.ebsVolumesEncrypted;

  it("accepts an encrypted volume and rejects one that is not", async () => {
    expect(await violations(policy, { type: TYPES.ebsVolume, props: { encrypted: true, size: 20 } })).toEqual([]);
    expect(await violations(policy, { type: TYPES.ebsVolume, props: { encrypted: false, size: 20 } })).toEqual([expect.stringContaining("encrypted")]);
    expect(await violations(policy, { type: TYPES.ebsVolume, props: { size: 20 } })).toHaveLength(1);
  });
});

describe("images-pinned-by-digest on pulled images", () => {
  const policy = rules.imagesPinnedByDigest;
  const pull = (name: string, stack = "local"): ResourceUnderTest => ({ type: TYPES.remoteImage, props: { name }, stack });

  it("pulls references pinned by digest", async () => {
    expect(await violations(policy, pull(`amazon/dynamodb-local:2.5.4@sha256:${DIGEST}`, "dev"))).toEqual([]);
  });

  it("takes an image ID of the engine, as externalImages allows on the local target (content-addressed, so as pinned as a digest)", async () => {
    expect(await violations(policy, pull(`sha256:${DIGEST}`))).toEqual([]);
    expect(await violations(policy, pull("sha256:abc"))).toHaveLength(1);
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
    const unrelated: ResourceUnderTest = { type: "pulumi-nodejs:dynamic/container-labs:GeneratedSecret", props: { privileged: true, ingress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] } };
    for (const policy of rules.resourcePolicies) {
      expect(policy).toMatchObject({ enforcementLevel: "mandatory", name: expect.stringMatching(/^[a-z0-9-]+$/), description: expect.any(String) });
      expect(await violations(policy, unrelated)).toEqual([]);
    }
    for (const policy of rules.stackPolicies) {
      expect(policy).toMatchObject({ enforcementLevel: "mandatory", name: expect.stringMatching(/^[a-z0-9-]+$/), description: expect.any(String) });
      expect(await stackViolations(policy, [unrelated])).toEqual([]);
    }
    const names = [...rules.resourcePolicies, ...rules.stackPolicies].map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("swarm services, judged as their tasks' containers", () => {
  const image = `registry.example.edu:5000/course/kleeweb-web:ci@sha256:${DIGEST}`;
  const service = (containerSpec: Record<string, unknown>, props: Record<string, unknown> = {}, opts?: ResourceUnderTest["opts"]): ResourceUnderTest => ({
    type: TYPES.service,
    name: "kleeweb-web",
    props: {
      name: "kleeweb-web",
      labels: [label("container-labs.lab", "kleeweb"), label("container-labs.no-pids-limit", "swarm service")],
      taskSpec: { containerSpec: { image, capDrops: ["ALL"], readOnly: true, ...containerSpec }, resources: { limits: { memoryBytes: 256 * 1024 * 1024 } } },
      endpointSpec: { mode: "dnsrr" },
      ...props,
    },
    opts,
  });
  const judged = async (resource: ResourceUnderTest) => (await Promise.all(rules.resourcePolicies.map(async (policy) => (await violations(policy, resource)).map(() => policy.name)))).flat();

  it("pass hardened: every capability dropped, a read-only root, a memory limit, an image pinned by digest, no port", async () => {
    expect(await judged(service({}))).toEqual([]);
  });

  it("are refused what a container is refused, each by the container's rule", async () => {
    expect(await judged(service({ capDrops: [] }))).toEqual(["containers-drop-privileges"]);
    expect(await judged(service({ readOnly: false }))).toEqual(["containers-have-read-only-root"]);
    expect(await judged(service({ image: "registry.example.edu:5000/course/kleeweb-web:ci" }))).toEqual(["images-pinned-by-digest"]);
    expect(await judged(service({ user: "root" }))).toEqual(["containers-run-as-non-root"]);
    expect(await judged(service({ mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }] }))).toEqual(["docker-socket-only-for-job-workers"]);
    expect(await judged(service({ env: { DATABASE_URL: "postgres://kleeweb:pw@db:5432/kleeweb" } }))).toEqual(["no-plaintext-credentials-in-container-env"]);
    expect(await judged(service({}, { taskSpec: { containerSpec: { image, capDrops: ["ALL"], readOnly: true } } }))).toEqual(["containers-have-resource-limits"]);
  });

  it("accept credentials in the environment only when the task spec is declared secret", async () => {
    expect(await judged(service({ env: { DATABASE_URL: "postgres://kleeweb:pw@db:5432/kleeweb" } }, {}, { additionalSecretOutputs: ["taskSpec"] }))).toEqual([]);
  });

  it("count every published port as open on every address (a swarm port has no bind address), unless the exposure is explained", async () => {
    const ports = { endpointSpec: { mode: "dnsrr", ports: [{ targetPort: 80, publishedPort: 80, publishMode: "host" }] } };
    expect(await judged(service({}, ports))).toEqual(["host-ports-on-loopback-unless-explained"]);
    const explained = [label("container-labs.lab", "kleeweb"), label("container-labs.no-pids-limit", "swarm service"), label("container-labs.exposure", "swarm")];
    expect(await judged(service({}, { ...ports, labels: explained }))).toEqual([]);
  });

  it("must say why no pids limit reaches their tasks (no command can give one)", async () => {
    const unlabelled = service({}, { labels: [label("container-labs.lab", "kleeweb")] });
    expect(await stackViolations(rules.containersHaveAPidsLimit, [unlabelled])).toEqual([expect.objectContaining({ message: expect.stringMatching(/^container kleeweb-web has no pids limit/) })]);
    expect(await stackViolations(rules.containersHaveAPidsLimit, [service({})])).toEqual([]);
  });
});
