/**
 * The test kit's engineScope on the private engine: a name that two
 * containers share on the scope's network is answered with both their
 * addresses by Docker's DNS (what spreads the dockercoins bench's calls over
 * rng replicas, as on a swarm with dnsrr endpoints), and removing a scope
 * leaves nothing of it behind: not a container whose start failed, nor what
 * a run made before it failed.
 * Needs the engine and the stand-ins: `scripts/test-engine.sh start && scripts/standins/build.sh`.
 */
import { docker, engineScope, inEngineScope, requireEngine, requireStandins, waitHealthy, type ContainerOptions, type Engine, type EngineScope } from "@container-labs/test-kit";

let engine: Engine;
let nodeImage: string;
let scope: EngineScope;

beforeAll(async () => {
  engine = await requireEngine();
  nodeImage = (await requireStandins(engine)).node;
  scope = engineScope(engine, "scope-test");
}, 60_000);

afterAll(() => scope.remove(), 60_000);

/** A container that only waits, on `network`. */
const idle = (name: string, network: string, aliases?: string[]): ContainerOptions =>
  ({ image: nodeImage, name, entrypoint: "sleep", command: ["300"], network: { name: network, aliases } });

/** What of `scope` is left on the engine: its containers' and its networks' names. */
async function leftOf(of: EngineScope): Promise<string[]> {
  const named = `name=^${of.name("")}`;
  const containers = await docker(engine, ["ps", "--all", "--format", "{{.Names}}", "--filter", named]);
  const networks = await docker(engine, ["network", "ls", "--format", "{{.Name}}", "--filter", named]);
  return [containers, networks].join("\n").split("\n").filter(Boolean);
}

it("answers a name two containers share on the scope's network with both their addresses", async () => {
  const network = await scope.network("network");
  const replicas = await Promise.all(["one", "two"].map((name) => scope.start(idle(name, network, ["shared"]))));
  const addresses = await Promise.all(replicas.map((replica) =>
    docker(engine, ["inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, replica.name])));
  const client = await scope.start(idle("client", network));
  const script = "require('dns').lookup('shared', { all: true }, (err, found) => { if (err) throw err; console.log(JSON.stringify(found.map((a) => a.address))); })";
  const resolved = JSON.parse(await client.exec(["node", "-e", script])) as string[];
  expect(resolved.sort()).toEqual(addresses.sort());
}, 120_000);

it("refuses to wait for a container that has no healthcheck to become healthy, naming it", async () => {
  const waiting = await scope.start(idle("no-healthcheck", await scope.network("health")));
  await expect(waitHealthy(engine, [waiting.name])).rejects.toThrow(`${waiting.name} is running, no-healthcheck, instead of becoming healthy`);
}, 120_000);

it("removes every container and network it made, also a container whose start failed", async () => {
  const removed = engineScope(engine, "scope-test-removal");
  try {
    const network = await removed.network("network");
    await removed.start(idle("started", network));
    await expect(removed.start({ ...idle("failed", network), entrypoint: "/no/such/program" })).rejects.toThrow(/no such file/);
    expect((await leftOf(removed)).sort()).toEqual([removed.name("failed"), removed.name("network"), removed.name("started")]);
    await removed.remove();
    expect(await leftOf(removed)).toEqual([]);
  } finally {
    await removed.remove();
  }
}, 120_000);

it("removes the scope of a run that failed, and fails with the run's own error", async () => {
  let made: EngineScope | undefined;
  await expect(inEngineScope(engine, "scope-test-failed-run", async (scope) => {
    made = scope;
    await scope.start(idle("started", await scope.network("network")));
    throw new Error("the run's own failure");
  })).rejects.toThrow(/^the run's own failure$/);
  expect(await leftOf(made!)).toEqual([]);
}, 120_000);
