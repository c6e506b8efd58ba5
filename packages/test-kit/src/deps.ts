/**
 * Real dependencies from Debian's packages, each started as a throwaway
 * process on 127.0.0.1 with its files in a temp dir. scripts/test.sh installs them.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "node:net";
import { run, type RunningProcess } from "./process";
import { freePort, waitFor } from "./wait";

export interface Dependency {
  port: number;
  url: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => socket.end(() => resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

async function waitForPort(what: string, proc: RunningProcess, port: number, timeoutMs = 20000): Promise<void> {
  await waitFor(`${what} on port ${port}`, async () => {
    if (!proc.running) throw new Error(`${what} exited: ${proc.output()}`);
    return tcpOpen(port);
  }, { timeoutMs });
}

/** redis-server with no persistence, on a free port. */
export async function startRedis(port?: number): Promise<Dependency> {
  const bound = port ?? (await freePort());
  const proc = run("redis-server", "redis-server", {
    args: ["--port", String(bound), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
  });
  await waitForPort("redis-server", proc, bound);
  return {
    port: bound,
    url: `redis://127.0.0.1:${bound}`,
    process: proc,
    stop: async () => void (await proc.stop("SIGTERM")),
  };
}

function postgresBin(tool: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join(root, version, "bin", tool);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL's ${tool} not found under ${root}: run scripts/test.sh, which installs Debian's postgresql`);
}

/**
 * PostgreSQL refuses to run as root: under root the cluster belongs to the
 * postgres user, and its processes are started as that user directly (not
 * through runuser, which would not pass our signals on).
 */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

export interface Postgres extends Dependency {
  /** Connection URL for `database` (created on demand by createDatabase). */
  urlFor(database: string): string;
  createDatabase(name: string): void;
}

/** A throwaway PostgreSQL cluster in a temp dir, trust auth on 127.0.0.1, user "postgres". */
export async function startPostgres(port?: number): Promise<Postgres> {
  const bound = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "pg-"));
  const data = join(dir, "data");
  const owner = clusterOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  execFileSync(postgresBin("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], { stdio: "pipe", ...owner });
  const proc = run("postgres", postgresBin("postgres"), {
    args: [
      "-D", data, "-p", String(bound), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`,
      "-c", "fsync=off", "-c", "full_page_writes=off",
    ],
    ...owner,
  });
  await waitForPort("postgres", proc, bound, 30000);
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${bound}/${database}`;
  const psql = (sql: string) => execFileSync("psql", [urlFor("postgres"), "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: "pipe" });
  await waitFor("postgres to accept queries", () => {
    psql("select 1");
    return true;
  });
  return {
    port: bound,
    url: urlFor("postgres"),
    process: proc,
    urlFor,
    createDatabase: (name: string) => void psql(`create database "${name}"`),
    stop: async () => {
      // SIGINT is PostgreSQL's "fast shutdown": roll back and exit without waiting for clients.
      await proc.stop("SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's nginx in the foreground with `config` (a whole nginx.conf) and its files in a temp prefix. */
export async function startNginx(config: string, port: number): Promise<Dependency & { prefix: string }> {
  const prefix = mkdtempSync(join(tmpdir(), "nginx-"));
  const confPath = join(prefix, "nginx.conf");
  writeFileSync(confPath, config);
  const args = ["-p", prefix, "-c", confPath, "-e", join(prefix, "error.log"), "-g", `daemon off; pid ${join(prefix, "nginx.pid")};`];
  execFileSync("nginx", ["-t", ...args], { stdio: "pipe" });
  const proc = run("nginx", "nginx", { args });
  await waitForPort("nginx", proc, port);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    process: proc,
    prefix,
    stop: async () => {
      await proc.stop("SIGQUIT");
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
