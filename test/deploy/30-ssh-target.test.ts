/**
 * The ssh target, for real: the `ci-ssh` stack (test/deploy/sshStack.ts)
 * deployed with `npm run up` on the stand-in machine, booted with the ec2
 * target's own cloud-config. The program bootstraps it over SSH with the
 * pinned host key, installs Docker's TLS keys, builds the images with this
 * machine's engine, pushes them to the stand-in registry with the push
 * account, and the machine pulls them by digest with the pull account. Then
 * the policy pack judges the deployed stack through the CLI, the labs are used
 * at the machine's address, the host survives a reboot, and `npm run down`
 * removes the stack.
 */
import { execFileSync } from "node:child_process";
import { labsOk, labsOutput, policyPreview, type PolicyPreview } from "@container-labs/test-kit";
import { MACHINE_DISK } from "@container-labs/test-kit";
import { hostKeyFingerprint } from "../../components/platform/ssh/hostKey";
import { answers, onMachine, prepareSshStack, SSH_LABS, SSH_STACK, type SshStack } from "./sshStack";
import { eventually, expectNoViolation, http, kleeJob, recordTiming, runKleeJob, type KleeJob } from "./deployed";
import { hashes, readSong, storeSong, tcpAnswer, upload, type StoredSong } from "./labUse";

type Labs = Awaited<ReturnType<typeof labsOutput>>;

let ssh: SshStack;
let labs: Labs;
const seconds: Record<string, number> = {};

beforeAll(async () => {
  ssh = await prepareSshStack();
  const deployed = await labsOk(ssh.stack, ["up", "--stack", SSH_STACK]);
  seconds["first up"] = deployed.seconds;
  labs = await labsOutput(ssh.stack, SSH_STACK);
});

afterAll(async () => {
  if (!ssh) return;
  try {
    const down = await labsOk(ssh.stack, ["down", "--stack", SSH_STACK]);
    seconds.down = down.seconds;
  } finally {
    await ssh.remove();
    const all = { ...ssh.seconds, ...seconds };
    for (const [step, value] of Object.entries(all)) recordTiming(`ssh target: ${step}`, value);
    process.stderr.write(`\nssh target: ${JSON.stringify(all)}\n`);
  }
});


/** The preview after `up`, with the policy pack: one preview serves the two tests below (a preview of this stack takes minutes under load). */
let preview: PolicyPreview;

it("deploys every lab at the machine's address, and a second up proposes no change on the host", async () => {
  for (const lab of SSH_LABS) {
    for (const url of Object.values(labs[lab].urls)) expect(url).toContain(`//${ssh.address}:`);
  }
  preview = await policyPreview(ssh.stack, SSH_STACK, { expectNoChanges: true });
  seconds["no-op preview with the policy pack"] = preview.seconds;
  expect(preview.output).toMatch(/\nResources:\n\s+\d+ unchanged\n/);
});

it("meets the policy pack, run by the CLI on the deployed stack: no violation, every rule judged", () => {
  expectNoViolation(preview);
});

it("pulled every image from the registry by digest, with the pull account only: the push token is nowhere on the machine", async () => {
  const images = (await onMachine(ssh, "images", "--digests", "--format", "{{.Repository}}@{{.Digest}}")).split("\n").filter(Boolean);
  expect(images.length).toBeGreaterThan(10);
  for (const image of images) expect(image).toMatch(new RegExp(`^${ssh.registry.address.replace(/\./g, "\\.")}/(ci|standins)/[a-z0-9-]+@sha256:[0-9a-f]{64}$`));
  const everything = await ssh.machine.exec(["sh", "-c", "grep -rls -- \"$0\" /etc /root /home /var/lib/docker/containers /var/lib/container-labs 2>/dev/null || true", ssh.registry.push.password]);
  expect(everything).toBe("");
});

it("ran the latency probe over SSH: the machine's file holds the 3 latencies of the stack output", async () => {
  const { latencies, latencyFile } = labs.notifications.details as { latencies: number[]; latencyFile: string };
  expect(latencies).toHaveLength(3);
  expect(latencyFile).toBe("/var/lib/container-labs/notifications/latencies.txt");
  const lines = (await ssh.machine.exec(["cat", latencyFile])).split("\n").filter(Boolean).map(Number);
  expect(lines.slice(-3)).toEqual(latencies);
});

/** The user and the song cmpt756 stored, looked for again on a new machine. */
let stored: StoredSong;

it("keeps cmpt756's users and songs in DynamoDB Local on the machine, its tables made through SSH", async () => {
  stored = await storeSong(labs);
  expect(await readSong(labs, stored)).toMatchObject({ login: 200, song: { Items: [{ Artist: "The Beatles", SongTitle: "Yesterday" }] } });
  // DynamoDB Local's port is on the machine's loopback only: not reachable at its address.
  const outside = await fetch(`http://${ssh.address}:18000/`, { signal: AbortSignal.timeout(3000) }).then(() => "answered", (error: Error) => error.name);
  expect(outside).not.toBe("answered");
});

it("answers a line on docker-basics' TCP server, published on the machine's port 3001", async () => {
  expect(labs["docker-basics"].urls.tcpServer).toBe(`tcp://${ssh.address}:3001`);
  const serverHost = await onMachine(ssh, "inspect", "--format", "{{.Config.Hostname}}", "docker-basics-tcp-server");
  expect(await tcpAnswer(labs, "hi from the test")).toBe(`hello from ${serverHost}, you said: hi from the test`);
});

let kleeweb: { id: string; finished: KleeJob };

it("runs a KLEE job submitted through kleeweb's site, in a job container that the machine's engine starts from the klee image it pulled by digest", async () => {
  const site = labs.kleeweb.urls.site;
  expect(site).toBe(`http://${ssh.address}:80/`);
  const job = await runKleeJob(site, (...args) => onMachine(ssh, ...args));
  expect(job.finished.status).toBe("succeeded");
  expect(job.jobImages).toEqual([ssh.standins.klee]);
  kleeweb = job;
});

let uploaded: { url: string; name: string };

it("stores a webstack upload on the data disk, and serves it back", async () => {
  const name = `ssh-target-${Date.now()}.txt`;
  uploaded = { url: await upload(labs, name, "on the data volume\n"), name };
  expect((await http(uploaded.url)).text).toBe("on the data volume\n");
  const path = await ssh.machine.exec(["find", "/var/lib/docker/volumes", "-name", name]);
  expect(path).toMatch(/^\/var\/lib\/docker\/volumes\/.+\/_data\//);
  // Docker's volumes are bound from the data disk (mount-data-volume.sh), so a replaced instance finds them.
  expect(await ssh.machine.exec(["findmnt", "--noheadings", "--output", "SOURCE", "--target", path])).toMatch(new RegExp(`^${MACHINE_DISK}`));
});

it("mines DockerCoins: the webui's counter rises", async () => {
  const before = await hashes(labs);
  await eventually("more hashes", async () => ((await hashes(labs)) > before + 5 ? true : undefined), 60_000);
});

it("comes back after a reboot: the data disk, the firewall and Docker in order, then every lab answers again, the upload kept", async () => {
  await ssh.reboot();
  expect(await ssh.machine.exec(["systemctl", "is-active", "container-labs-imds-firewall.service", "docker.service"])).toBe("active\nactive");
  // Each service's health route, from the labs' URLs: the containers restarted with their engine.
  await answers(`${new URL(labs.notifications.urls.notify).origin}/health`);
  await answers(labs.webstack.urls.site);
  await answers(`${labs.dockercoins.urls.webui}json`);
  expect((await http(uploaded.url)).text).toBe("on the data volume\n");
  expect(await eventually("kleeweb's job read back", () => kleeJob(labs.kleeweb.urls.site, kleeweb.id), 120_000)).toEqual(kleeweb.finished);
  expect(await eventually("docker-basics' TCP server", () => tcpAnswer(labs, "back"), 120_000)).toMatch(/you said: back$/);
  const before = await hashes(labs);
  await eventually("mining after the reboot", async () => ((await hashes(labs)) > before ? true : undefined), 90_000);
});

/**
 * A new machine at the same address, as EC2 replaces an instance whose user
 * data changed (the same Elastic IP, the same data volume) or as a user
 * reinstalls theirs: the Docker provider reaches it as it reached the old
 * one, and it has none of the labs' containers, networks or images. The
 * machine's identity (here the host key, pinned again as the README says)
 * makes one `up` bring every lab back, its data found on the data disk.
 */
describe("a new machine at the same address", () => {
  let diskUuid: string;
  let latenciesBefore: number;

  it("with its new host key pinned as the README says, one up brings every lab back on it", async () => {
    diskUuid = await ssh.machine.exec(["blkid", "-p", "-s", "UUID", "-o", "value", MACHINE_DISK]);
    const { latencyFile } = labs.notifications.details as { latencyFile: string };
    latenciesBefore = (await ssh.machine.exec(["cat", latencyFile])).split("\n").filter(Boolean).length;
    const newKey = await ssh.replace();
    // The README's steps: scan the key the machine presents, compare its fingerprint with the machine's own, pin that very line.
    const scanned = execFileSync("ssh-keyscan", ["-t", "ed25519", ssh.address], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    expect(hostKeyFingerprint(scanned)).toBe(hostKeyFingerprint(newKey));
    await labsOk(ssh.stack, ["pulumi", "config", "set", "sshHostKey", scanned, "--stack", SSH_STACK], { quiet: true });
    const up = await labsOk(ssh.stack, ["up", "--stack", SSH_STACK]);
    seconds["up on a new machine"] = up.seconds;
    labs = await labsOutput(ssh.stack, SSH_STACK);
    // Each lab's containers on the new machine's engine, and each lab answering at the same address.
    const running = (await onMachine(ssh, "ps", "--format", '{{.Label "container-labs.lab"}}')).split("\n");
    expect([...new Set(running)].filter((lab) => SSH_LABS.includes(lab)).sort()).toEqual([...SSH_LABS].sort());
    await answers(`${new URL(labs.notifications.urls.notify).origin}/health`);
    await answers(labs.webstack.urls.site);
    await answers(`${labs.dockercoins.urls.webui}json`);
  });

  it("formatted nothing: the same filesystem on the data disk, Docker's volumes on it with their labels", async () => {
    expect(await ssh.machine.exec(["cat", "/var/log/cloud-init-output.log"])).not.toContain("formatting it");
    expect(await ssh.machine.exec(["blkid", "-p", "-s", "UUID", "-o", "value", MACHINE_DISK])).toBe(diskUuid);
    // Docker's record of each volume (metadata.db beside them) came with the disk: labels included.
    expect(await onMachine(ssh, "volume", "inspect", "--format", '{{index .Labels "container-labs.lab"}}', "webstack_media", "dynamodb-local-data")).toBe("webstack\nplatform");
  });

  it("finds the data made on the old machine: the webstack upload, cmpt756's user and song, the latencies with the new probe's after them", async () => {
    expect((await http(uploaded.url)).text).toBe("on the data volume\n");
    // A login succeeds only for a user DynamoDB Local still holds.
    expect(await readSong(labs, stored)).toMatchObject({ login: 200, song: { Items: [{ Artist: "The Beatles", SongTitle: "Yesterday" }] } });
    const { latencies, latencyFile } = labs.notifications.details as { latencies: number[]; latencyFile: string };
    const lines = (await ssh.machine.exec(["cat", latencyFile])).split("\n").filter(Boolean).map(Number);
    expect({ before: lines.length - latencies.length, latest: lines.slice(-latencies.length) }).toEqual({ before: latenciesBefore, latest: latencies });
  });

  it("mines DockerCoins again, and a following preview proposes no change", async () => {
    const before = await hashes(labs);
    await eventually("mining on the new machine", async () => ((await hashes(labs)) > before ? true : undefined), 90_000);
    await labsOk(ssh.stack, ["pulumi", "preview", "--expect-no-changes", "--stack", SSH_STACK, "--non-interactive"]);
  });
});
