/** The tcp-server as a process on 127.0.0.1, a line client for it, and what /proc says of the process. */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { freePort, run, waitFor, type RunningProcess } from "@container-labs/test-kit";

const MAIN = join(__dirname, "..", "dist", "main.js");

const started: RunningProcess[] = [];

/** Kills every process the tests started; for afterEach. */
export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((proc) => proc.stop("SIGKILL")));
}

export function tcpServer(args: string[], env: Record<string, string>): RunningProcess {
  const proc = run("tcp-server", process.execPath, { args: [MAIN, ...args], env });
  started.push(proc);
  return proc;
}

export async function startServer(env: Record<string, string> = {}): Promise<{ server: RunningProcess; port: number }> {
  const port = await freePort();
  const server = tcpServer([], { HOST: "127.0.0.1", PORT: String(port), ...env });
  await waitFor("the server to listen", () => server.output().includes(`listening on 127.0.0.1:${port}`), { timeoutMs: 5000 });
  return { server, port };
}

/** A client that keeps what it receives and whether the server closed it. */
export class LineClient {
  received = "";
  closed = false;
  /** "host:port" as the server logs this client. */
  readonly peer: string;
  private constructor(readonly socket: Socket) {
    this.peer = `127.0.0.1:${socket.localPort}`;
    socket.on("data", (chunk: Buffer) => (this.received += chunk.toString()));
    // A reset from the server is one of the outcomes the tests look at, not a failure of the client.
    socket.on("error", () => undefined);
    socket.on("close", () => (this.closed = true));
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new LineClient(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Sends one line and resolves with the next line received; rejects if the server closes first. */
  async ask(line: string): Promise<string> {
    const before = this.received.length;
    this.socket.write(`${line}\n`);
    const answered = (): boolean => this.received.indexOf("\n", before) !== -1;
    await waitFor(`an answer to "${line}"`, () => {
      if (!answered() && this.closed) throw new Error(`the server closed the connection without answering "${line}"`);
      return answered();
    }, { timeoutMs: 5000 });
    return this.received.slice(before, this.received.indexOf("\n", before));
  }
}

/** The process's resident memory, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!kib) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}

/** How many sockets the process holds open, from /proc/<pid>/fd: its listener, its clients, and its stdout and stderr (socket pairs under test-kit's run). */
export function openSockets(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:");
    } catch {
      return false; // closed between the listing and the look
    }
  }).length;
}

export const MiB = 1024 * 1024;
