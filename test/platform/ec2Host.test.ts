import { parse } from "yaml";
import { loadConfig } from "../../config";
import { deployLabs } from "../../program";
import { resolve, runStack, type StackRun } from "../support/mocks";

const program = () => deployLabs(loadConfig());
const INSTANCE = "aws:ec2/instance:Instance";
const COMMAND = "command:remote:Command";

describe("the dev stack's Docker host on EC2", () => {
  let run: StackRun<ReturnType<typeof program>>;
  beforeAll(async () => {
    run = await runStack("dev", program, { secrets: { ghcrToken: "ghp_test" } });
  });

  it("runs Ubuntu 24.04 from Canonical's AMI lookup, for the instance type's CPU", () => {
    const [instance] = run.ofType(INSTANCE);
    expect(instance.inputs.ami).toBe("ami-0123456789abcdef0");
    expect(instance.inputs.instanceType).toBe("t3.medium");
    // A newer AMI must not replace a running host.
    expect(instance.options.ignoreChanges).toEqual(["ami"]);
  });

  it("requires IMDSv2 and encrypts its gp3 root volume", () => {
    const [instance] = run.ofType(INSTANCE);
    expect(instance.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(instance.inputs.rootBlockDevice).toMatchObject({ volumeType: "gp3", encrypted: true, volumeSize: 30 });
  });

  it("opens SSH, Docker's TLS port and the lab ports to the configured network only, never 2375", () => {
    const [sg] = run.ofType("aws:ec2/securityGroup:SecurityGroup");
    const rules = sg.inputs.ingress as Array<{ fromPort: number; toPort: number; cidrBlocks: string[] }>;
    // SSH, Docker over TLS, then the enabled labs' published ports in order.
    expect(rules.map((rule) => rule.fromPort)).toEqual([22, 2376, 80, 1337, 3000, 3001, 8000, 8001, 8002, 30000, 30001]);
    for (const rule of rules) {
      expect(rule.toPort).toBe(rule.fromPort);
      expect(rule.cidrBlocks).toEqual(["198.51.100.0/24"]);
    }
  });

  it("opens SSH to the world only when the user sets it so", async () => {
    const open = await runStack("dev", program, { secrets: { ghcrToken: "t" }, set: { ec2SshCidr: "0.0.0.0/0" } });
    const rules = open.ofType("aws:ec2/securityGroup:SecurityGroup")[0].inputs.ingress as Array<{ fromPort: number; cidrBlocks: string[] }>;
    expect(rules.find((rule) => rule.fromPort === 22)?.cidrBlocks).toEqual(["0.0.0.0/0"]);
    expect(rules.find((rule) => rule.fromPort === 2376)?.cidrBlocks).toEqual(["198.51.100.0/24"]);
  });

  it("has an instance role and profile that EC2 may assume", () => {
    const [role] = run.ofType("aws:iam/role:Role");
    expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const [profile] = run.ofType("aws:iam/instanceProfile:InstanceProfile");
    expect(profile.inputs.role).toBe(role.name);
    expect(run.ofType(INSTANCE)[0].inputs.iamInstanceProfile).toBe(profile.name);
  });

  it("logs in with a generated key pair whose private key exists only as a secret in state", () => {
    const [keyPair] = run.ofType("aws:ec2/keyPair:KeyPair");
    expect(keyPair.inputs.publicKey).toBe("ssh-ed25519 host-ssh-key");
    const sshKey = run.one("tls:index/privateKey:PrivateKey", "algorithm", "ED25519");
    expect(sshKey.name).toBe("host-ssh-key");
    // Every command that logs in carries the key inside a secret connection.
    for (const command of run.ofType(COMMAND)) {
      expect(command.inputs.connection.privateKey).toBe("openssh-host-ssh-key");
      expect(command.secretInputs).toContain("connection");
    }
  });

  it("installs Docker Engine from Docker's apt repository through cloud-init, without any private key in user data", () => {
    const userData: string = run.ofType(INSTANCE)[0].inputs.userData;
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    const document = parse(userData) as { write_files: Array<{ path: string; content: string }>; runcmd: string[][] };
    const installer = document.write_files.find((file) => file.path === "/usr/local/sbin/container-labs-install-docker");
    expect(installer?.content).toContain("https://download.docker.com/linux/ubuntu");
    expect(installer?.content).toContain("apt-get install -y -q docker-ce docker-ce-cli containerd.io");
    expect(installer?.content).toContain('usermod -aG docker "$login_user"');
    expect(document.runcmd).toEqual([["/usr/local/sbin/container-labs-install-docker", "ubuntu"]]);
    expect(userData).not.toMatch(/PRIVATE KEY/);
  });

  it("gates on cloud-init (accepting its exit 2) and docker info, dialling until a timeout", () => {
    const gate = run.one(COMMAND, "create", run.ofType(COMMAND).find((c) => c.name === "host-wait-for-docker")!.inputs.create);
    expect(gate.inputs.create).toContain("cloud-init status --wait");
    expect(gate.inputs.create).toContain('[ "$status" -ne 2 ]');
    expect(gate.inputs.create).toContain("sudo docker info");
    expect(gate.inputs.connection).toMatchObject({ user: "ubuntu", dialErrorLimit: -1, host: "203.0.113.10" });
    expect(gate.options.customTimeouts).toEqual({ create: "15m" });
  });

  it("reaches the engine over mutual TLS on 2376 with generated certificates, after the TLS step", async () => {
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.host).toBe("tcp://203.0.113.10:2376");
    expect(provider.inputs.caMaterial).toContain("host-ca-cert");
    expect(provider.inputs.certMaterial).toContain("host-client-cert");
    expect(provider.inputs.keyMaterial).toContain("host-client-key");
    expect(provider.dependsOn).toEqual(["host-docker-tls"]);
    const tlsStep = run.ofType(COMMAND).find((c) => c.name === "host-docker-tls")!;
    expect(tlsStep.inputs.create).toBe("sudo /usr/local/sbin/container-labs-docker-tls");
    expect(tlsStep.dependsOn).toEqual(["host-wait-for-docker"]);
    const server = run.ofType("tls:index/certRequest:CertRequest").find((c) => c.name === "host-server-csr")!;
    expect(server.inputs.ipAddresses).toEqual(["203.0.113.10", "127.0.0.1"]);
    expect(await resolve(run.outputs.hostAddress)).toBe("203.0.113.10");
  });

  it("pulls on the host with the ghcr.io token and pushes from here with the same credentials", () => {
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.registryAuth).toEqual([expect.objectContaining({ address: "ghcr.io", username: "container-labs" })]);
    for (const build of run.ofType("docker-build:index:Image")) {
      expect(build.inputs.push).toBe(true);
      expect(build.inputs.tags[0]).toMatch(/^ghcr\.io\/container-labs\/[a-z0-9-]+:dev$/);
      // The workspace image holds files only, read on the build machine (FROM --platform=$BUILDPLATFORM).
      const workspace = build.inputs.dockerfile.location.endsWith("images/workspace.Dockerfile");
      expect(build.inputs.platforms).toEqual(workspace ? undefined : ["linux/amd64"]);
      expect(build.inputs.registries).toEqual([expect.objectContaining({ address: "ghcr.io", username: "container-labs" })]);
    }
  });
});

describe("the local stack's Docker host", () => {
  it("is this machine's engine: no instance, no key, no push, images loaded locally", async () => {
    const run = await runStack("local", program);
    const cloud = run.resources.filter((r) => /^aws:(ec2|iam)\//.test(r.type) || r.type.startsWith("tls:") || r.type === "command:remote:Command");
    expect(cloud.map((r) => r.name)).toEqual([]);
    const [provider] = run.ofType("pulumi:providers:docker");
    expect(provider.inputs.host).toBe("unix:///var/run/docker.sock");
    for (const build of run.ofType("docker-build:index:Image")) {
      expect(build.inputs.push).toBe(false);
      expect(build.inputs.load).toBe(true);
      expect(build.inputs.tags[0]).toMatch(/^container-labs\/[a-z0-9-]+:local$/);
    }
    expect(await resolve(run.outputs.hostAddress)).toBe("localhost");
  });
});
