/**
 * The ssh target, for real: the `ci-ssh` stack (test/deploy/sshStack.ts)
 * deployed with `npm run up` on the stand-in machine, booted with the ec2
 * target's own cloud-config. The program bootstraps it over SSH with the
 * pinned host key, installs Docker's TLS keys, builds the images with this
 * machine's engine, pushes them to the stand-in registry with the push
 * account, and the machine pulls them by digest with the pull account. Then
 * the labs are used at the machine's address, the host survives a reboot,
 * and `npm run down` removes the stack.
 */
import { labsOk, labsOutput } from "@container-labs/test-kit";
import { MACHINE_DISK } from "@container-labs/test-kit";
import { answers, onMachine, prepareSshStack, SSH_LABS, SSH_STACK, type SshStack } from "./sshStack";
import { eventually, http, recordTiming } from "./deployed";

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

const json = (method: string, body?: unknown, token?: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** The webui's hash counter, rising while the workers mine. */
const hashes = async (): Promise<number> => (await http(`${labs.dockercoins.urls.webui}json`)).json<{ hashes: number }>().hashes;

it("deploys every lab at the machine's address, and a second up proposes no change on the host", async () => {
  for (const lab of SSH_LABS) {
    for (const url of Object.values(labs[lab].urls)) expect(url).toContain(`//${ssh.address}:`);
  }
  const started = Date.now();
  await labsOk(ssh.stack, ["pulumi", "preview", "--expect-no-changes", "--stack", SSH_STACK, "--non-interactive"]);
  seconds["no-op preview"] = (Date.now() - started) / 1000;
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

it("keeps cmpt756's users and songs in DynamoDB Local on the machine, its tables made through SSH", async () => {
  const { usersApi: users, musicApi: music } = labs.cmpt756.urls;
  const { user_id: uid } = (await http(users, json("POST", { fname: "Ada", lname: "Lovelace", email: "ada@example.org" }))).json<{ user_id: string }>();
  const token = (await http(`${users}login`, json("PUT", { uid }))).text;
  const created = await http(music, json("POST", { Artist: "The Beatles", SongTitle: "Yesterday" }, token));
  expect(created.status).toBe(200);
  const { music_id: id } = created.json<{ music_id: string }>();
  expect((await http(`${music}${id}`, json("GET", undefined, token))).json()).toMatchObject({ Items: [{ Artist: "The Beatles", SongTitle: "Yesterday" }] });
  // DynamoDB Local's port is on the machine's loopback only: not reachable at its address.
  const outside = await fetch(`http://${ssh.address}:18000/`, { signal: AbortSignal.timeout(3000) }).then(() => "answered", (error: Error) => error.name);
  expect(outside).not.toBe("answered");
});

let uploaded: { url: string; name: string };

it("stores a webstack upload on the data disk, and serves it back", async () => {
  const name = `ssh-target-${Date.now()}.txt`;
  const form = new FormData();
  form.append("file", new Blob(["on the data volume\n"]), name);
  const stored = await http(`${labs.webstack.urls.site}upload`, { method: "POST", body: form, headers: { accept: "application/json" } });
  expect(stored.status).toBe(201);
  uploaded = { url: new URL(stored.json<{ url: string }>().url, labs.webstack.urls.site).href, name };
  expect((await http(uploaded.url)).text).toBe("on the data volume\n");
  const path = await ssh.machine.exec(["find", "/var/lib/docker/volumes", "-name", name]);
  expect(path).toMatch(/^\/var\/lib\/docker\/volumes\/.+\/_data\//);
  // Docker's volumes are bound from the data disk (mount-data-volume.sh), so a replaced instance finds them.
  expect(await ssh.machine.exec(["findmnt", "--noheadings", "--output", "SOURCE", "--target", path])).toMatch(new RegExp(`^${MACHINE_DISK}`));
});

it("mines DockerCoins: the webui's counter rises", async () => {
  const before = await hashes();
  await eventually("more hashes", async () => ((await hashes()) > before + 5 ? true : undefined), 60_000);
});

it("comes back after a reboot: the data disk, the firewall and Docker in order, then every lab answers again, the upload kept", async () => {
  await ssh.reboot();
  expect(await ssh.machine.exec(["systemctl", "is-active", "container-labs-imds-firewall.service", "docker.service"])).toBe("active\nactive");
  // Each service's health route, from the labs' URLs: the containers restarted with their engine.
  await answers(`${new URL(labs.notifications.urls.notify).origin}/health`);
  await answers(labs.webstack.urls.site);
  await answers(`${labs.dockercoins.urls.webui}json`);
  expect((await http(uploaded.url)).text).toBe("on the data volume\n");
  const before = await hashes();
  await eventually("mining after the reboot", async () => ((await hashes()) > before ? true : undefined), 90_000);
});
