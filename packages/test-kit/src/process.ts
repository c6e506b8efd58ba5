import { spawn, type ChildProcess } from "node:child_process";
import { freePort, httpOk, waitFor } from "./wait";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept, so a failing test can show what it said. */
export class RunningProcess {
  private readonly chunks: string[] = [];
  readonly exited: Promise<Exit>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => this.chunks.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => this.chunks.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Everything written to stdout and stderr so far. */
  output(): string {
    return this.chunks.join("");
  }

  /** The JSON log lines written so far, parsed; other lines are skipped. */
  logLines(): Array<Record<string, unknown>> {
    return this.output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

export interface RunOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Run as this user and group (e.g. PostgreSQL, which refuses to run as root). */
  uid?: number;
  gid?: number;
}

function spawnChild(command: string, options: RunOptions): ChildProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  return spawn(command, options.args ?? [], { cwd: options.cwd, env, uid: options.uid, gid: options.gid, stdio: ["ignore", "pipe", "pipe"] });
}

/** Starts `command` with a clean environment plus `env` (PATH and HOME kept). */
export function run(name: string, command: string, options: RunOptions = {}): RunningProcess {
  return new RunningProcess(name, spawnChild(command, options));
}

export interface ServiceOptions extends RunOptions {
  /** Path of the built entry point, e.g. images/<lab>/<service>/dist/main.js. */
  script: string;
  /** Route that answers 2xx once the service is up; null for a service without HTTP. */
  healthPath?: string | null;
  readyTimeoutMs?: number;
}

export class ServiceProcess extends RunningProcess {
  constructor(name: string, child: ChildProcess, readonly port: number) {
    super(name, child);
  }

  url(path = "/"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }
}

/** Runs a built service with `node` on a free PORT and waits for its health route. */
export async function startService(name: string, options: ServiceOptions): Promise<ServiceProcess> {
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const child = spawnChild(process.execPath, {
    args: [options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: { LOG_LEVEL: "info", ...options.env, PORT: String(port) },
  });
  const service = new ServiceProcess(name, child, port);
  const healthPath = options.healthPath === undefined ? "/health" : options.healthPath;
  if (healthPath !== null) {
    try {
      await waitFor(`${name} at ${service.url(healthPath)}`, async () => {
        if (!service.running) throw new Error(`${name} exited: ${service.output()}`);
        return httpOk(service.url(healthPath));
      }, { timeoutMs: options.readyTimeoutMs ?? 15000 });
    } catch (err) {
      await service.stop("SIGKILL");
      throw err;
    }
  }
  return service;
}
