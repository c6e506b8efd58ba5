/**
 * demo-3: one image, two roles.
 *   (no arguments) or `serve`: the TCP server, on HOST:PORT (0.0.0.0:1234),
 *     within IDLE_TIMEOUT_MS, MAX_CONNECTIONS and MAX_LINE_BYTES (settings.ts).
 *   `client [host:port]`: connect to the server (default SERVER_HOST:SERVER_PORT,
 *     localhost:1234), send MESSAGE as one line, print the answer, exit 0; exit 1
 *     with the reason if it cannot connect after CONNECT_ATTEMPTS tries
 *     RETRY_DELAY_MS apart, or gets no answer.
 */
import { hostname } from "node:os";
import { ask, connectWithRetry } from "./client";
import { startServer } from "./server";
import { parseTarget, portFromEnv, positiveIntFromEnv, serverLimitsFromEnv, type Target } from "./settings";

const USAGE = "usage: main.js [serve] | main.js client [host:port]";

async function serve(): Promise<void> {
  const host = process.env.HOST || "0.0.0.0";
  const port = portFromEnv("PORT");
  const { stop } = await startServer(host, port, serverLimitsFromEnv());
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      console.log(`received ${signal}, stopping`);
      void stop().then(() => console.log("stopped"));
    });
  }
  console.log(`listening on ${host}:${port} as ${hostname()}`);
}

async function client(targetArg: string | undefined): Promise<void> {
  const target: Target = targetArg
    ? parseTarget(targetArg)
    : { host: process.env.SERVER_HOST || "localhost", port: portFromEnv("SERVER_PORT") };
  const retry = {
    attempts: positiveIntFromEnv("CONNECT_ATTEMPTS", 10),
    delayMs: positiveIntFromEnv("RETRY_DELAY_MS", 500),
  };
  const message = process.env.MESSAGE || `hello from ${hostname()}`;
  const socket = await connectWithRetry(target, retry);
  console.log(await ask(socket, message));
}

function run(role: Promise<void>): void {
  role.catch((err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}

const [mode = "serve", ...rest] = process.argv.slice(2);
if (mode === "serve" && rest.length === 0) run(serve());
else if (mode === "client" && rest.length <= 1) run(client(rest[0]));
else {
  console.error(USAGE);
  process.exitCode = 2;
}
