import { parse } from "yaml";
import { loadConfig } from "../../config";
import { ec2File } from "../../components/platform/ec2/cloudInit";
import { AWS_CREDENTIALS_NETWORK } from "../../components/platform/remote/awsCredentials";
import { EC2_USER_DATA_LIMIT_BYTES, gzipUserData, userDataDocument } from "../../components/platform/ec2/userData";
import { deployLabs } from "../../program";
import { resolve, runStack, sharedRun, type Recorded, type StackRun } from "../support/mocks";

const program = () => deployLabs(loadConfig());
const INSTANCE = "aws:ec2/instance:Instance";
const COMMAND = "pulumi-nodejs:dynamic/container-labs:RemoteCommand";
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const EBS_VOLUME = "aws:ebs/volume:Volume";

interface CloudConfig {
  ssh_deletekeys: boolean;
  ssh_genkeytypes: string[];
  ssh_keys: Record<string, string>;
  write_files: Array<{ path: string; content: string; permissions: string }>;
  runcmd: string[][];
}
/** The cloud-config document the instance boots with (user data is gzipped, base64 for the API). */
const userDataOf = (run: StackRun<unknown>): string => userDataDocument(run.ofType(INSTANCE)[0].inputs.userDataBase64);
const cloudConfig = (run: StackRun<unknown>): CloudConfig => parse(userDataOf(run)) as CloudConfig;
const writtenFile = (run: StackRun<unknown>, path: string): string => {
  const file = cloudConfig(run).write_files.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`cloud-init writes no ${path}`);
  return file.content;
};
const named = (run: StackRun<unknown>, type: string, name: string): Recorded => {
  const found = run.ofType(type).find((resource) => resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name}: ${run.ofType(type).map((resource) => resource.name).join(", ")}`);
  return found;
};

describe("the dev stack's Docker host on EC2", () => {
  let run: StackRun<ReturnType<typeof program>>;
  beforeAll(async () => {
    run = await sharedRun("dev", program, { secrets: { registryToken: "ghp_test" } });
  });

  it("runs Ubuntu 24.04 from Canonical's AMI lookup, for the instance type's CPU", () => {
    const [instance] = run.ofType(INSTANCE);
    expect(instance.inputs.ami).toBe("ami-0123456789abcdef0");
    expect(instance.inputs.instanceType).toBe("t3.medium");
    // A newer AMI must not replace a running host.
    expect(instance.options.ignoreChanges).toEqual(["ami"]);
  });

  it("requires IMDSv2 (hop limit 2, IPv4 only) and encrypts its gp3 root volume", () => {
    const [instance] = run.ofType(INSTANCE);
    expect(instance.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2, httpProtocolIpv6: "disabled" });
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

  it("opens SSH to the network ec2SshCidr names when it differs from the allowed one (never the world: config refuses it)", async () => {
    const other = await runStack("dev", program, { secrets: { registryToken: "t" }, set: { ec2SshCidr: "192.0.2.7/32" } });
    const rules = other.ofType("aws:ec2/securityGroup:SecurityGroup")[0].inputs.ingress as Array<{ fromPort: number; cidrBlocks: string[] }>;
    expect(rules.find((rule) => rule.fromPort === 22)?.cidrBlocks).toEqual(["192.0.2.7/32"]);
    expect(rules.find((rule) => rule.fromPort === 2376)?.cidrBlocks).toEqual(["198.51.100.0/24"]);
  });

  it("has an instance role and profile that EC2 may assume, under the IAM path the deploy role may manage", () => {
    const [role] = run.ofType("aws:iam/role:Role");
    expect(role.inputs.path).toBe("/container-labs/");
    expect(run.ofType("aws:iam/instanceProfile:InstanceProfile")[0].inputs.path).toBe("/container-labs/");
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
    expect(named(run, "tls:index/privateKey:PrivateKey", "host-ssh-key").inputs.algorithm).toBe("ED25519");
    // Every command that logs in carries the key as a secret input of its own, never inside the connection.
    for (const command of run.ofType(COMMAND)) {
      expect(command.inputs.privateKey).toBe("openssh-host-ssh-key");
      expect(command.secretInputs).toContain("privateKey");
      expect(command.inputs.connection.privateKey).toBeUndefined();
    }
  });

  it("installs Docker Engine from Docker's apt repository through cloud-init, after the data volume is mounted", () => {
    const userData = userDataOf(run);
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    const installer = writtenFile(run, "/usr/local/sbin/container-labs-install-docker");
    // Docker's repository of the machine's distribution: Ubuntu's here (run on os-release files in remoteHostScripts.test.ts).
    expect(installer).toContain("https://download.docker.com/linux/%s");
    expect(installer).toContain("ubuntu | debian)");
    expect(installer).toContain("docker_packages=(docker-ce docker-ce-cli containerd.io");
    expect(installer).toContain('usermod -aG docker "$login_user"');
    const [volume] = run.ofType(EBS_VOLUME);
    expect(cloudConfig(run).runcmd).toEqual([
      ["/usr/local/sbin/container-labs-mount-data", expect.stringMatching(new RegExp(`^${volume.name}-id-\\d+$`))],
      ["/usr/local/sbin/container-labs-install-docker", "ubuntu", "docker-repository"],
    ]);
  });

  it("fits EC2's limit of 16 KB of user data", () => {
    const sent = Buffer.from(run.ofType(INSTANCE)[0].inputs.userDataBase64, "base64");
    // The mocks' host key is shorter than a real one (an OpenSSH ED25519 private key is about 400 bytes): leave it room.
    expect(sent.length + 512).toBeLessThanOrEqual(EC2_USER_DATA_LIMIT_BYTES);
    // And the same bytes for the same document: a gzip time stamp would replace the instance at every up.
    expect(gzipUserData(userDataOf(run))).toBe(run.ofType(INSTANCE)[0].inputs.userDataBase64);
  });

  it("trusts Docker's apt key only after checking its fingerprint against the one Docker publishes", () => {
    const installer = writtenFile(run, "/usr/local/sbin/container-labs-install-docker");
    expect(installer).toContain('docker_key_fingerprint="9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88"');
    expect(installer).toContain("verify_key=/usr/local/sbin/container-labs-verify-key\n");
    expect(installer).toContain("apt_keyrings=/etc/apt/keyrings\n");
    const verify = installer.indexOf('"$verify_key" "$downloaded_key" "$docker_key_fingerprint"');
    const trust = installer.indexOf('"$apt_keyrings/docker.asc"');
    expect(verify).toBeGreaterThan(0);
    expect(trust).toBeGreaterThan(verify);
    expect(installer).not.toMatch(/curl[^\n]*-o \/etc\/apt/);
    expect(writtenFile(run, "/usr/local/sbin/container-labs-verify-key")).toContain("--show-keys --with-colons");
  });

  it("runs dockerd with live-restore, no-new-privileges and no inter-container traffic on the default bridge", () => {
    const daemon = JSON.parse(writtenFile(run, "/etc/docker/daemon.json"));
    expect(daemon).toMatchObject({ "live-restore": true, "no-new-privileges": true, icc: false, "log-driver": "json-file" });
    // Listeners and TLS are dockerd flags (the TLS drop-in); the same settings in daemon.json would stop dockerd.
    expect(Object.keys(daemon).filter((key) => key === "hosts" || key.startsWith("tls"))).toEqual([]);
  });

  it("keeps every private key except the SSH host key out of user data, and stores user data as a secret", () => {
    const [instance] = run.ofType(INSTANCE);
    const userData = userDataDocument(instance.inputs.userDataBase64);
    for (const key of run.ofType("tls:index/privateKey:PrivateKey").filter((k) => k.name !== "host-ssh-host-key")) {
      expect({ key: key.name, inUserData: userData.includes(key.name) }).toEqual({ key: key.name, inUserData: false });
    }
    expect(instance.secretInputs).toContain("userDataBase64");
  });

  it("gates on cloud-init (accepting its exit 2) and docker info, dialling until a timeout", () => {
    const gate = run.one(COMMAND, "create", run.ofType(COMMAND).find((c) => c.name === "host-wait-for-docker")!.inputs.create);
    expect(gate.inputs.create).toContain("cloud-init status --wait");
    expect(gate.inputs.create).toContain('[ "$status" -ne 2 ]');
    expect(gate.inputs.create).toContain("sudo docker info");
    // sshd is not up right after boot: the gate keeps dialling for 15 minutes.
    expect(gate.inputs.connection).toMatchObject({ user: "ubuntu", port: 22, host: "203.0.113.10", dialTimeoutSeconds: 900 });
    // Dials the Elastic IP only once it points at this instance, whose data volume is attached.
    expect(gate.dependsOn.sort()).toEqual(["host-data-attachment", "host-ip"]);
    expect(gate.inputs.create).toContain("findmnt --mountpoint");
    expect(gate.inputs.create).toContain("systemctl is-active --quiet container-labs-imds-firewall.service");
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
    expect(await resolve(run.outputs.hostAddress)).toBe("203.0.113.10");
  });

  it("listens on 2376 with mutual TLS through a systemd drop-in the TLS step installs, never on 2375", () => {
    const dropIn = writtenFile(run, "/etc/container-labs/docker-tls.conf");
    const execStart = dropIn.split("\n").filter((line) => line.startsWith("ExecStart="));
    expect(execStart).toEqual(["ExecStart=", expect.stringMatching(/^ExecStart=dockerd -H fd:\/\/ -H tcp:\/\/0\.0\.0\.0:2376 --tlsverify /)]);
    expect(execStart[1]).toContain("--tlscacert=/etc/docker/tls/ca.pem --tlscert=/etc/docker/tls/server-cert.pem --tlskey=/etc/docker/tls/server-key.pem");
    expect(dropIn.split("\n").filter((line) => !line.startsWith("#")).join("\n")).not.toContain("2375");
    expect(writtenFile(run, "/usr/local/sbin/container-labs-docker-tls")).toContain("install -m 0644 /etc/container-labs/docker-tls.conf /etc/systemd/system/docker.service.d/20-tls.conf");
  });

  it("is reached at an Elastic IP, which keeps the address (and the certificate made for it) across stop/start and replacement", async () => {
    const [ip] = run.ofType("aws:ec2/eip:Eip");
    expect(ip.inputs).toMatchObject({ domain: "vpc", instance: expect.stringMatching(/^host-instance-id-\d+$/) });
    const server = named(run, "tls:index/certRequest:CertRequest", "host-server-csr");
    expect(server.inputs.ipAddresses).toEqual(["203.0.113.10", "127.0.0.1"]);
    expect(server.inputs.dnsNames).toEqual(["ec2-203-0-113-10.eu-west-1.compute.amazonaws.com", "localhost"]);
    // 192.0.2.99 is the instance's own public IP, which changes on stop/start: nothing uses it.
    expect(JSON.stringify(run.resources.filter((resource) => resource.type !== INSTANCE).map((resource) => resource.inputs))).not.toContain("192.0.2.99");
    expect(await resolve(run.outputs.hostAddress)).toBe("203.0.113.10");
  });

  it("renews the certificates: any pulumi up in the last 30 days of a one-year certificate, or the last year of the five-year CA, re-issues it", () => {
    const [ca] = run.ofType("tls:index/selfSignedCert:SelfSignedCert");
    expect(ca.inputs).toMatchObject({ validityPeriodHours: 5 * 365 * 24, earlyRenewalHours: 365 * 24 });
    const certs = run.ofType("tls:index/locallySignedCert:LocallySignedCert");
    expect(certs.map((cert) => cert.name).sort()).toEqual(["host-client-cert", "host-server-cert"]);
    for (const cert of certs) expect(cert.inputs).toMatchObject({ validityPeriodHours: 365 * 24, earlyRenewalHours: 30 * 24 });
    // A renewed server certificate runs the TLS step again, which installs it.
    expect(named(run, COMMAND, "host-docker-tls").inputs.triggers).toEqual([expect.stringMatching(/^host-instance-id-/), expect.stringContaining("host-server-cert")]);
  });

  it("checks the host's SSH key in every session: the key cloud-init installs, generated here, and no other", () => {
    const hostKey = named(run, "tls:index/privateKey:PrivateKey", "host-ssh-host-key");
    expect(hostKey.inputs.algorithm).toBe("ED25519");
    const commands = run.ofType(COMMAND);
    expect(commands.map((command) => command.name)).toEqual(expect.arrayContaining(["host-wait-for-docker", "host-docker-tls"]));
    for (const command of commands) expect({ command: command.name, hostKey: command.inputs.connection.hostKey }).toEqual({ command: command.name, hostKey: "ssh-ed25519 host-ssh-host-key" });
    const config = cloudConfig(run);
    expect(config.ssh_keys).toEqual({ ed25519_private: "openssh-host-ssh-host-key", ed25519_public: "ssh-ed25519 host-ssh-host-key" });
    expect(config.ssh_deletekeys).toBe(true);
    expect(config.ssh_genkeytypes).toEqual(["ed25519"]);
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

describe("the dev stack's instance credentials: only cmpt756's datastore may obtain them", () => {
  let run: StackRun<ReturnType<typeof program>>;
  beforeAll(async () => {
    run = await sharedRun("dev", program, { secrets: { registryToken: "ghp_test" } });
  });
  const networksOf = (container: Recorded) => container.inputs.networksAdvanced as Array<{ name: string; gwPriority?: number }>;

  it("makes one Docker network for them, on the bridge the host's firewall lets through", () => {
    const network = run.one(NETWORK, "name", AWS_CREDENTIALS_NETWORK.name);
    expect(network.inputs.driver).toBe("bridge");
    expect(network.inputs.options).toEqual({ "com.docker.network.bridge.name": AWS_CREDENTIALS_NETWORK.bridge });
    expect(AWS_CREDENTIALS_NETWORK.bridge.length).toBeLessThanOrEqual(15);
  });

  it("puts only the datastore on it, with its default route there (gateway priority), besides its lab's network", () => {
    const members = run.ofType(CONTAINER).filter((container) => networksOf(container).some((network) => network.name === AWS_CREDENTIALS_NETWORK.name));
    expect(members.map((container) => container.inputs.name)).toEqual(["cmpt756-db"]);
    expect(networksOf(members[0])).toEqual([
      { name: "cmpt756", aliases: ["db"] },
      { name: AWS_CREDENTIALS_NETWORK.name, aliases: ["db"], gwPriority: 1 },
    ]);
    // Engines before Docker 28 ignore the priority and route through the network whose name sorts first.
    expect([...networksOf(members[0]).map((network) => network.name)].sort()[0]).toBe(AWS_CREDENTIALS_NETWORK.name);
    for (const container of run.ofType(CONTAINER)) {
      for (const network of networksOf(container).filter((candidate) => candidate.name !== AWS_CREDENTIALS_NETWORK.name)) expect(network.gwPriority).toBeUndefined();
    }
  });

  it("installs the firewall through cloud-init: for that bridge, at every boot, before Docker, which requires it", () => {
    const unit = writtenFile(run, "/etc/systemd/system/container-labs-imds-firewall.service");
    expect(unit).toContain(`ExecStart=/usr/local/sbin/container-labs-imds-firewall ${AWS_CREDENTIALS_NETWORK.bridge}\n`);
    expect(unit).toContain("Before=docker.service");
    expect(unit).toContain("WantedBy=multi-user.target");
    const dockerDropIn = writtenFile(run, "/etc/systemd/system/docker.service.d/10-container-labs.conf");
    expect(dockerDropIn).toContain("Requires=container-labs-imds-firewall.service");
    expect(dockerDropIn).toContain("After=container-labs-imds-firewall.service");
    const script = writtenFile(run, "/usr/local/sbin/container-labs-imds-firewall");
    expect(script).toContain("imds=169.254.169.254/32");
    const installer = writtenFile(run, "/usr/local/sbin/container-labs-install-docker");
    expect(installer.indexOf("systemctl enable --now container-labs-imds-firewall.service")).toBeGreaterThan(0);
    expect(installer.indexOf("systemctl enable --now container-labs-imds-firewall.service")).toBeLessThan(installer.indexOf('install_missing "${docker_packages[@]}"'));
  });

  it("has no such network on the local stack, where no container gets AWS credentials from the host", async () => {
    const local = await sharedRun("local", program);
    expect(local.ofType(NETWORK).map((network) => network.inputs.name)).not.toContain(AWS_CREDENTIALS_NETWORK.name);
    for (const container of local.ofType(CONTAINER)) expect(networksOf(container).every((network) => network.gwPriority === undefined)).toBe(true);
  });
});

describe("the dev stack's lab data: on a volume that survives the instance", () => {
  let run: StackRun<ReturnType<typeof program>>;
  beforeAll(async () => {
    run = await sharedRun("dev", program, { secrets: { registryToken: "ghp_test" } });
  });

  it("is an encrypted gp3 EBS volume, retained when the stack is destroyed, in the first zone (by name) that offers the instance type", () => {
    const [volume] = run.ofType(EBS_VOLUME);
    expect(volume.inputs).toMatchObject({ type: "gp3", encrypted: true, size: 20, availabilityZone: "eu-west-1a" });
    expect(volume.options.retainOnDelete).toBe(true);
    // A later instance type offered in other zones must not move (replace) the volume.
    expect(volume.options.ignoreChanges).toEqual(["availabilityZone"]);
    expect(run.ofType(INSTANCE)[0].inputs.availabilityZone).toBe("eu-west-1a");
  });

  it("does not depend on the instance, so replacing the instance (a changed cloud-init script) replaces nothing of it", () => {
    const [volume] = run.ofType(EBS_VOLUME);
    const [instance] = run.ofType(INSTANCE);
    expect(instance.inputs.userDataReplaceOnChange).toBe(true);
    expect(JSON.stringify(volume.inputs)).not.toMatch(/host-instance/);
    expect(volume.dependsOn).toEqual([]);
    // The root volume still goes with the instance: it holds nothing that `pulumi up` does not rebuild.
    expect(instance.inputs.rootBlockDevice.deleteOnTermination).toBe(true);
  });

  it("is attached by a resource that a replaced instance replaces: old attachment removed first, old instance stopped before the detach", () => {
    const [attachment] = run.ofType("aws:ec2/volumeAttachment:VolumeAttachment");
    expect(attachment.inputs).toMatchObject({
      deviceName: "/dev/sdf",
      volumeId: expect.stringMatching(/^host-data-id-\d+$/),
      instanceId: expect.stringMatching(/^host-instance-id-\d+$/),
      stopInstanceBeforeDetaching: true,
    });
    expect(attachment.options.deleteBeforeReplace).toBe(true);
  });

  it("is mounted before Docker starts: Docker's volumes and the labs' directory bound onto it, Docker requiring both mounts", () => {
    const mounter = writtenFile(run, "/usr/local/sbin/container-labs-mount-data");
    expect(mounter).toContain('"$mount_point/docker-volumes" /var/lib/docker/volumes none "bind,nofail');
    expect(mounter).toContain('"$mount_point/data" /var/lib/container-labs none "bind,nofail');
    expect(mounter).toContain("nvme-Amazon_Elastic_Block_Store_${volume_id/-/}");
    // Verbatim: it is the script mountDataVolume.test.ts runs on real loop disks (never formatting one that holds anything).
    expect(mounter).toBe(ec2File("mount-data-volume.sh"));
    const dockerDropIn = writtenFile(run, "/etc/systemd/system/docker.service.d/10-container-labs.conf");
    expect(dockerDropIn).toContain("RequiresMountsFor=/var/lib/docker/volumes /var/lib/container-labs");
  });
});

describe("the local stack's Docker host", () => {
  it("is this machine's engine: no instance, no key, no push, images loaded locally", async () => {
    const run = await sharedRun("local", program);
    const cloud = run.resources.filter((r) => /^aws:(ec2|iam)\//.test(r.type) || r.type.startsWith("tls:") || r.type === "pulumi-nodejs:dynamic/container-labs:RemoteCommand");
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
