/**
 * Issue 24's labs as swarm services, for real: DockerCoins deployed by the
 * Pulumi CLI through the program's own Platform onto the test kit's swarm of
 * three stand-in machines (test/deploy/swarm-services), as the lesson runs it:
 * rng on every node, 3 hashers and 6 workers spread over the nodes, mining.
 * Then the lesson's knob: more workers is an update of the one service, which
 * keeps its ID, never a replacement.
 *
 * The images are the labs' own, built as the program builds them
 * (test/engine/builds.ts) and pushed to the stand-in registry; every node pulls
 * them by digest with the registry's pull account. The manager's engine is
 * reached over SSH with a key installed for this test.
 *
 * No ci stack: a stack of its own, removed at the end with the swarm.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker, labs, labsOk, prepareCiStack, startRegistry, startSwarm, waitFor, type CiStack, type Registry, type Swarm } from "@container-labs/test-kit";
import { IMAGE_BUILDS } from "../../components/labs";
import { builder } from "../engine/builds";

const MINUTE = 60_000;
const NAME = "cl-swarm-services";
const STACK = "swarm-services";
const PROJECT = join(__dirname, "swarm-services");
const SERVICES = ["rng", "hasher", "worker", "webui"] as const;
const WEBUI_PORT = 8000;

let stack: CiStack;
let registry: Registry;
let swarm: Swarm;
let dir: string;
const seconds: Record<string, number> = {};

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    seconds[what] = Math.round((Date.now() - started) / 100) / 10;
  }
}

const pulumi = (...args: string[]) => labsOk(stack, ["pulumi", ...args, "--cwd", PROJECT, "--stack", STACK, "--non-interactive"]);
const manager = (...command: string[]) => swarm.manager.exec(command);

/** `<node> <state>` of each task the swarm wants running for `service`. */
async function tasks(service: string): Promise<Array<{ node: string; state: string }>> {
  const lines = await manager("docker", "service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}}\t{{.CurrentState}}", service);
  return lines.split("\n").filter(Boolean).map((line) => {
    const [node, state] = line.split("\t");
    return { node, state };
  });
}

/** The image built as the program builds it, pushed to the registry: its digest-pinned reference there. */
async function push(image: string, repository: string, config: string): Promise<string> {
  const target = `${registry.address}/swarm/${repository}:${STACK}`;
  await docker(stack.engine, ["tag", image, target]);
  const pushed = await docker({ ...stack.engine, env: { ...stack.engine.env, DOCKER_CONFIG: config } }, ["push", target]);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`no digest in the push's output: ${pushed}`);
  return `${target}@${digest}`;
}

/** The webui's count of hashes mined, asked at the node that runs it (its port is host-mode). */
async function hashes(): Promise<number> {
  const [webui] = await tasks("dockercoins-webui");
  const address = swarm.nodes.find((node) => node.name === webui.node)!.address;
  const answer = await fetch(`http://${address}:${WEBUI_PORT}/json`, { signal: AbortSignal.timeout(5000) });
  return Number(((await answer.json()) as { hashes: number }).hashes);
}

beforeAll(async () => {
  stack = await prepareCiStack();
  dir = mkdtempSync(join(tmpdir(), "cl-swarm-services-"));
  registry = await timed("registry start", () => startRegistry(stack.engine, { name: `${NAME}-registry` }));
  const images = timed("images built and pushed", async () => {
    const build = await builder();
    const config = join(dir, "docker-config");
    await docker({ ...stack.engine, env: { ...stack.engine.env, DOCKER_CONFIG: config } }, ["login", "--username", registry.push.username, "--password-stdin", registry.address], { input: registry.push.password });
    const refs: Record<string, string> = { redis: await push(build.standins.redis, "redis", config) };
    for (const service of SERVICES) {
      const name = `dockercoins/${service}` as const;
      refs[name] = await push(await build.build(name, IMAGE_BUILDS[name]), `dockercoins-${service}`, config);
    }
    return refs;
  });
  const starting = timed("swarm start", () => startSwarm(stack.engine, { name: NAME, nodes: 3, managers: 1, registry }));
  const [started, pushed] = await Promise.allSettled([starting, images]);
  if (started.status === "fulfilled") swarm = started.value;
  for (const result of [started, pushed]) if (result.status === "rejected") throw result.reason;
  const refs = (pushed as PromiseFulfilledResult<Record<string, string>>).value;

  // The provider's ssh logs in to the manager as root with a key of this test's.
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "login")]);
  await swarm.manager.exec(["sh", "-c", "mkdir -p -m 700 /root/.ssh && cat > /root/.ssh/authorized_keys"], readFileSync(join(dir, "login.pub"), "utf8"));

  await labs(stack, ["pulumi", "stack", "rm", "--yes", "--force", "--cwd", PROJECT, "--stack", STACK, "--non-interactive"], { quiet: true });
  await labsOk(stack, ["pulumi", "stack", "init", STACK, "--cwd", PROJECT, "--non-interactive"], { quiet: true });
  await pulumi("config", "set", "managerHost", `ssh://root@${swarm.manager.address}`);
  await pulumi("config", "set", "sshKeyFile", join(dir, "login"));
  await pulumi("config", "set", "registryServer", registry.address);
  await pulumi("config", "set", "registryUsername", registry.push.username);
  await pulumi("config", "set", "registryPullUsername", registry.pull.username);
  await labsOk(stack, ["pulumi", "config", "set", "--secret", "registryPullToken", "--cwd", PROJECT, "--stack", STACK, "--non-interactive"], { quiet: true, input: registry.pull.password });
  for (const [name, ref] of Object.entries(refs)) await pulumi("config", "set", "--path", `images["${name}"]`, ref);
  await pulumi("config", "set", "dockercoinsWorkers", "6");
  await pulumi("config", "set", "dockercoinsHasherReplicas", "3");
}, 20 * MINUTE);

afterAll(async () => {
  if (swarm) await labs(stack, ["pulumi", "destroy", "--yes", "--cwd", PROJECT, "--stack", STACK, "--non-interactive"]);
  if (stack) await labs(stack, ["pulumi", "stack", "rm", "--yes", "--force", "--cwd", PROJECT, "--stack", STACK, "--non-interactive"], { quiet: true });
  await swarm?.stop();
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`\nswarm services, seconds per phase: ${JSON.stringify(seconds)}\n`);
}, 10 * MINUTE);

describe("DockerCoins as swarm services on three nodes", () => {
  it("comes up with rng on every node, 3 hashers and 6 workers, tasks on every node", async () => {
    await timed("first up", () => pulumi("up", "--yes", "--skip-preview"));
    const counts = Object.fromEntries(await Promise.all(["dockercoins-rng", "dockercoins-hasher", "dockercoins-worker", "dockercoins-webui", "dockercoins-redis"].map(async (service) => {
      const running = (await tasks(service)).filter((task) => task.state.startsWith("Running"));
      return [service, running.length] as const;
    })));
    expect(counts).toEqual({ "dockercoins-rng": 3, "dockercoins-hasher": 3, "dockercoins-worker": 6, "dockercoins-webui": 1, "dockercoins-redis": 1 });
    const rngNodes = (await tasks("dockercoins-rng")).map((task) => task.node).sort();
    expect(rngNodes).toEqual(swarm.nodes.map((node) => node.name).sort());
    const busyNodes = new Set((await Promise.all(["dockercoins-hasher", "dockercoins-worker"].map(tasks))).flat().map((task) => task.node));
    expect([...busyNodes].sort()).toEqual(swarm.nodes.map((node) => node.name).sort());
  }, 15 * MINUTE);

  it("changes nothing on the next up: what the swarm reads back is what the program says", async () => {
    await pulumi("preview", "--expect-no-changes");
  }, 5 * MINUTE);

  it("mines: the webui's count of hashes grows", async () => {
    let first = 0;
    await waitFor("the webui to answer", async () => {
      first = await hashes().catch(() => -1);
      return first >= 0;
    }, { timeoutMs: 2 * MINUTE, intervalMs: 1000 });
    await waitFor("more hashes mined", async () => (await hashes()) > first + 10, { timeoutMs: 2 * MINUTE, intervalMs: 1000 });
  }, 5 * MINUTE);

  it("scales the workers from 6 to 12 by updating the one service in place: same service ID, 12 tasks", async () => {
    const before = await manager("docker", "service", "inspect", "--format", "{{.ID}}", "dockercoins-worker");
    await pulumi("config", "set", "dockercoinsWorkers", "12");
    const preview = await pulumi("preview", "--diff");
    // One update, of the workers' service, and no replacement.
    expect(preview.output.match(/^\s+[~+-]+ docker:index\/service:Service: \(\S+\)$/gm)?.map((line) => line.trim())).toEqual(["~ docker:index/service:Service: (update)"]);
    expect(preview.output).toMatch(/\(update\)\s+\[id=\w+\]\s+\[urn=\S+::dockercoins-worker\]/);
    expect(preview.output).toMatch(/~ replicas: 6 => 12/);
    expect(preview.output).not.toMatch(/replace/);
    await timed("scale up", () => pulumi("up", "--yes", "--skip-preview"));
    expect(await manager("docker", "service", "inspect", "--format", "{{.ID}} {{.Spec.Mode.Replicated.Replicas}}", "dockercoins-worker")).toBe(`${before} 12`);
    await waitFor("12 running workers", async () => (await tasks("dockercoins-worker")).filter((task) => task.state.startsWith("Running")).length === 12, { timeoutMs: 3 * MINUTE, intervalMs: 1000 });
  }, 15 * MINUTE);
});
