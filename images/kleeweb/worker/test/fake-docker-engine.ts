/**
 * A stand-in for the Docker Engine API on a unix socket in a temp dir: it
 * records every request and answers the few calls the DockerRunner makes the
 * way the real engine does (create 201 {Id}, start 204, logs as a multiplexed
 * stream, wait {StatusCode}, kill 204, delete 204).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RecordedRequest {
  method: string;
  /** Without the optional /v1.xx version prefix. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface EngineScript {
  /** Answers create with this error instead of a container. */
  createError?: { status: number; message: string };
  startError?: { status: number; message: string };
  /** Stdout (1) and stderr (2) frames the container "writes". */
  logs?: Array<[1 | 2, string]>;
  exitCode?: number;
  /** The container runs until it is killed (wait and logs stay open). */
  runsForever?: boolean;
}

export const CONTAINER_ID = "f00dfacec0ffee";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export class FakeDockerEngine {
  readonly requests: RecordedRequest[] = [];
  script: EngineScript = {};
  private killed: Array<() => void> = [];

  private constructor(private readonly server: Server, private readonly dir: string, readonly socketPath: string) {}

  static async start(): Promise<FakeDockerEngine> {
    const dir = mkdtempSync(join(tmpdir(), "fake-docker-"));
    const socketPath = join(dir, "docker.sock");
    let engine: FakeDockerEngine | undefined;
    const server = createServer((req, res) => void engine?.handle(req, res));
    engine = new FakeDockerEngine(server, dir, socketPath);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return engine;
  }

  requestsTo(method: string, pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  reset(script: EngineScript): void {
    this.script = script;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.kill();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private kill(): void {
    for (const release of this.killed.splice(0)) release();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://docker");
    const text = Buffer.concat(chunks).toString();
    const path = url.pathname.replace(/^\/v\d+\.\d+/, "");
    this.requests.push({ method: req.method ?? "", path, query: url.searchParams, body: text ? JSON.parse(text) : undefined });

    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const container = path.match(/^\/containers\/([^/]+)(\/\w+)?$/);
    const action = `${req.method} ${container ? (container[1] === "create" ? "create" : container[2] ?? "/") : path}`;
    const { createError, startError, runsForever } = this.script;
    switch (action) {
      case "POST create":
        return createError ? json(createError.status, { message: createError.message }) : json(201, { Id: CONTAINER_ID, Warnings: [] });
      case "POST /start":
        return startError ? json(startError.status, { message: startError.message }) : void res.writeHead(204).end();
      case "GET /logs":
        res.writeHead(200, { "content-type": "application/vnd.docker.multiplexed-stream" }).flushHeaders();
        for (const [stream, line] of this.script.logs ?? []) res.write(frame(stream, line));
        if (runsForever) this.killed.push(() => res.end());
        else res.end();
        return;
      case "POST /wait":
        if (runsForever) this.killed.push(() => json(200, { StatusCode: 137 }));
        else json(200, { StatusCode: this.script.exitCode ?? 0 });
        return;
      case "POST /kill":
        this.kill();
        return void res.writeHead(204).end();
      case "DELETE /":
        return void res.writeHead(204).end();
      default:
        return json(404, { message: `page not found: ${req.method} ${path}` });
    }
  }
}
