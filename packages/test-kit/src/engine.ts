/**
 * The private Docker engine (scripts/test-engine.sh) and the stand-in images
 * (scripts/standins/build.sh), as the real-engine tests and the benchmarks
 * reach them: the engine's DOCKER_HOST, the stand-ins' references, and the
 * Docker 20.10 client run against that engine. Every accessor fails with the
 * command that prepares what is missing; none starts or builds anything.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./cache";
import { dockerHostOf, engineLayout } from "./privateEngine";
import { STANDINS, type Fixture, type Standin } from "./standins";
import { sleep } from "./wait";

const execFileAsync = promisify(execFile);

/** The 20.10 client of Debian's docker.io: a newer client may refuse DOCKER_BUILDKIT=1 without buildx. */
const DOCKER = "/usr/bin/docker";

/** The one command that starts the engine and builds the stand-ins. */
export const PREPARE_ENGINE_COMMAND = "scripts/test-engine.sh start && scripts/standins/build.sh";

export interface Engine {
  /** unix:///.../docker.sock */
  dockerHost: string;
  socketPath: string;
  /** The environment that points the Docker client, with BuildKit, at this engine. */
  env: NodeJS.ProcessEnv;
}

export class EngineMissing extends Error {}

/** Runs the 20.10 client against `engine`; rejects with its output when it fails. */
export async function docker(engine: Engine, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  try {
    const child = execFileAsync(DOCKER, args, { env: engine.env, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 600_000 });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout } = await child;
    return stdout.trim();
  } catch (err) {
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker ${args.join(" ")} failed: ${message}\n${stdout ?? ""}${stderr ?? ""}`.trim());
  }
}

/** The private engine, answering; throws EngineMissing naming the command that starts it. */
export async function requireEngine(env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const layout = engineLayout(env);
  const socketPath = layout.socket;
  const dockerHost = dockerHostOf(layout);
  const engine: Engine = { dockerHost, socketPath, env: { ...env, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: "1" } };
  try {
    await docker(engine, ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 15_000 });
  } catch (err) {
    throw new EngineMissing(`the private Docker engine does not answer at ${dockerHost}: run \`${PREPARE_ENGINE_COMMAND}\` first (${(err as Error).message.split("\n")[0]})`);
  }
  return engine;
}

/** The stand-ins' references pinned by digest (refs.json), each present in the engine. */
export async function requireStandins(engine: Engine, env: NodeJS.ProcessEnv = process.env): Promise<Record<Standin, string>> {
  const file = join(cacheDir(env), "standins", "refs.json");
  if (!existsSync(file)) throw new EngineMissing(`no stand-in images (${file} is missing): run \`${PREPARE_ENGINE_COMMAND}\` first`);
  const refs = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<Standin, string>>;
  const missing = STANDINS.filter((name) => !refs[name]);
  if (missing.length > 0) throw new EngineMissing(`${file} lacks ${missing.join(", ")}: run \`${PREPARE_ENGINE_COMMAND}\` again`);
  for (const name of STANDINS) {
    await docker(engine, ["image", "inspect", "--format", "{{.Id}}", refs[name]!]).catch(() => {
      throw new EngineMissing(`the stand-in ${name} (${refs[name]}) is not in the engine: run \`${PREPARE_ENGINE_COMMAND}\` again`);
    });
  }
  return refs as Record<Standin, string>;
}

/** A test fixture image (fixtures.json: images the tests run and the program never references), present in the engine. */
export async function requireFixture(engine: Engine, name: Fixture, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = join(cacheDir(env), "standins", "fixtures.json");
  const tag = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Record<Fixture, string>>)[name] : undefined;
  if (!tag) throw new EngineMissing(`no ${name} fixture image (${file} does not name one): run \`${PREPARE_ENGINE_COMMAND}\` first`);
  await docker(engine, ["image", "inspect", "--format", "{{.Id}}", tag]).catch(() => {
    throw new EngineMissing(`the ${name} fixture image (${tag}) is not in the engine: run \`${PREPARE_ENGINE_COMMAND}\` again`);
  });
  return tag;
}

export interface BuildOptions {
  context: string;
  dockerfile: string;
  buildArgs?: Record<string, string>;
  target?: string;
  tag: string;
  /** BuildKit secrets: id to the file holding it. */
  secrets?: Record<string, string>;
}

/** `docker build` with BuildKit, as the build machine runs it; resolves to the image ID. */
export async function buildImage(engine: Engine, options: BuildOptions): Promise<string> {
  const args = ["build", "--quiet", "--file", options.dockerfile, "--tag", options.tag];
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) args.push("--build-arg", `${name}=${value}`);
  for (const [id, file] of Object.entries(options.secrets ?? {})) args.push("--secret", `id=${id},src=${file}`);
  if (options.target) args.push("--target", options.target);
  args.push(options.context);
  return docker(engine, args, { timeoutMs: 1_200_000 });
}

/** The parts of `docker image inspect` the tests read. */
export interface ImageConfig {
  Id: string;
  Config: {
    User: string;
    Entrypoint: string[] | null;
    Cmd: string[] | null;
    Healthcheck?: { Test: string[] } | null;
    ExposedPorts?: Record<string, object> | null;
    Env: string[];
    Labels: Record<string, string> | null;
    StopSignal?: string;
    WorkingDir: string;
  };
}

export async function inspectImage(engine: Engine, ref: string): Promise<ImageConfig> {
  return (JSON.parse(await docker(engine, ["image", "inspect", ref])) as ImageConfig[])[0];
}

export interface ContainerOptions {
  image: string;
  /** Named so that a test can find, and always remove, what it started. */
  name: string;
  env?: Record<string, string>;
  /** Container port to a port on the host's 127.0.0.1. */
  publish?: Record<number, number>;
  /** Named volume (or host path) to a path in the container. */
  volumes?: Record<string, string>;
  user?: string;
  entrypoint?: string;
  command?: string[];
  /**
   * A user-defined network to join, and the names the other containers on it
   * reach this one by. Several containers may share an alias: Docker's DNS
   * then answers it with every one's address, as it does for a swarm
   * service's replicas with dnsrr endpoints.
   */
  network?: { name: string; aliases?: string[] };
  labels?: Record<string, string>;
}

export interface Container {
  name: string;
  /** Runs a command in the container; resolves to its stdout. */
  exec(command: string[]): Promise<string>;
  logs(): Promise<string>;
  /** Removes the container (forced); its named volumes stay. */
  remove(): Promise<void>;
}

/** Starts a detached container on the engine. */
export async function startContainer(engine: Engine, options: ContainerOptions): Promise<Container> {
  const args = ["run", "--detach", "--name", options.name];
  for (const [name, value] of Object.entries(options.env ?? {})) args.push("--env", `${name}=${value}`);
  for (const [port, hostPort] of Object.entries(options.publish ?? {})) args.push("--publish", `127.0.0.1:${hostPort}:${port}`);
  for (const [source, target] of Object.entries(options.volumes ?? {})) args.push("--volume", `${source}:${target}`);
  if (options.network) args.push("--network", options.network.name);
  for (const alias of options.network?.aliases ?? []) args.push("--network-alias", alias);
  for (const [name, value] of Object.entries(options.labels ?? {})) args.push("--label", `${name}=${value}`);
  if (options.user !== undefined) args.push("--user", options.user);
  if (options.entrypoint !== undefined) args.push("--entrypoint", options.entrypoint);
  args.push(options.image, ...(options.command ?? []));
  await docker(engine, args);
  return {
    name: options.name,
    exec: (command) => docker(engine, ["exec", options.name, ...command]),
    logs: async () => {
      const { stdout, stderr } = await execFileAsync(DOCKER, ["logs", options.name], { env: engine.env, maxBuffer: 16 * 1024 * 1024 });
      return `${stdout}${stderr}`;
    },
    remove: async () => {
      await docker(engine, ["rm", "--force", "--volumes=false", options.name]).catch(() => undefined);
    },
  };
}

/**
 * Waits until every one of `containers` says healthy (its image's
 * HEALTHCHECK); fails at once, with its last log lines, if one stops or turns
 * unhealthy, and after `timeoutMs` naming those not yet healthy.
 */
export async function waitHealthy(engine: Engine, containers: string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await docker(engine, ["inspect", "--format", "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}", ...containers]))
      .split("\n")
      .map((line) => line.replace(/^\//, "").split(" "));
    const failed = states.find(([, status, health]) => status !== "running" || health === "unhealthy" || health === "no-healthcheck");
    if (failed) {
      const logs = await docker(engine, ["logs", "--tail", "20", failed[0]]).catch((err: Error) => err.message);
      throw new Error(`${failed[0]} is ${failed[1]}, ${failed[2]}, instead of becoming healthy:\n${logs}`);
    }
    const waiting = states.filter(([, , health]) => health !== "healthy").map(([name]) => name);
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs} ms: ${waiting.join(", ")}`);
    await sleep(500);
  }
}
