/**
 * demo-3 as processes: the server and the client of one image talking over
 * 127.0.0.1. The client finds the server by a name ("localhost" here, the
 * server's container name on the t3n network), not by an IP address.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { freePort, REPO_ROOT, run, waitFor } from "@container-labs/test-kit";
import { startServer, stopAll, tcpServer } from "./serverProcess";

afterEach(stopAll);

describe("the server (no arguments)", () => {
  it("exits 0 on SIGTERM, saying it stopped", async () => {
    const { server } = await startServer();
    expect(await server.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain("stopped");
  });

  it("refuses a PORT that is not a port", async () => {
    const server = tcpServer([], { PORT: "12x" });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.output()).toContain('PORT must be a whole number from 1 to 65535, got "12x"');
  });
});

describe("the client (client [host:port])", () => {
  it("reaches the server by name through SERVER_HOST and SERVER_PORT, prints its greeting and exits 0", async () => {
    const { server, port } = await startServer();
    const client = tcpServer(["client"], { SERVER_HOST: "localhost", SERVER_PORT: String(port), MESSAGE: "hi server" });
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(client.output()).toBe(`hello from ${hostname()}, you said: hi server\n`);
    expect(server.output()).toContain('received "hi server"');
  });

  it("takes the server as a host:port argument, as the course's client does", async () => {
    const { port } = await startServer();
    const client = tcpServer(["client", `localhost:${port}`], { MESSAGE: "by argument" });
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(client.output()).toBe(`hello from ${hostname()}, you said: by argument\n`);
  });

  it("waits for a server that starts after it", async () => {
    const port = await freePort();
    const client = tcpServer(["client", `localhost:${port}`], { MESSAGE: "early", RETRY_DELAY_MS: "200" });
    await waitFor("a failed first attempt", () => client.output().includes("attempt 1/10"), { timeoutMs: 5000 });
    tcpServer([], { HOST: "127.0.0.1", PORT: String(port) });
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(client.output()).toContain("you said: early");
  });

  it("exits 1 naming the server and the reason once its attempts are used up", async () => {
    const closedPort = await freePort();
    const client = tcpServer(["client"], {
      SERVER_HOST: "127.0.0.1",
      SERVER_PORT: String(closedPort),
      CONNECT_ATTEMPTS: "3",
      RETRY_DELAY_MS: "100",
    });
    expect(await client.exited).toEqual({ code: 1, signal: null });
    expect(client.output()).toContain(`attempt 3/3 to reach 127.0.0.1:${closedPort} failed`);
    expect(client.output()).toContain(`cannot reach 127.0.0.1:${closedPort} after 3 attempts: connect ECONNREFUSED`);
  });

  it("exits 2 with its usage when given more than one target", async () => {
    const client = tcpServer(["client", "a:1", "b:2"], {});
    expect(await client.exited).toEqual({ code: 2, signal: null });
    expect(client.output()).toContain("usage: main.js [serve] | main.js client [host:port]");
  });
});

describe("the README's Try line", () => {
  const tryLine = /`(echo hi \| nc [^`]*localhost 3001)`/.exec(readFileSync(join(REPO_ROOT, "README.md"), "utf8"))?.[1];

  it("is there: one line piped into nc to localhost 3001", () => {
    expect(tryLine).toBeDefined();
  });

  // The system's nc: Debian's netcat-openbsd here (scripts/install-system-deps.sh), which keeps
  // the connection open after its input ends unless told when to quit.
  it("run as printed with the system's nc (only the port is this test's), prints the greeting and exits 0 within 5 s", async () => {
    const { port } = await startServer();
    const shell = run("try line", "sh", { args: ["-c", tryLine!.replace("localhost 3001", `localhost ${port}`)] });
    try {
      await waitFor("the Try line to exit", () => !shell.running, { timeoutMs: 5000 });
    } finally {
      await shell.stop("SIGKILL");
    }
    expect(await shell.exited).toEqual({ code: 0, signal: null });
    expect(shell.output()).toBe(`hello from ${hostname()}, you said: hi\n`);
  });
});
