import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Target } from "./settings";

export interface RetryPolicy {
  attempts: number;
  delayMs: number;
}

const ANSWER_TIMEOUT_MS = 5000;

function connectOnce({ host, port }: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/**
 * Retries because on Docker the client may start before the server listens,
 * or before the network's DNS knows the server's name; bounded, so a wrong
 * name or port ends in a clear error rather than a hang.
 */
export async function connectWithRetry(target: Target, { attempts, delayMs }: RetryPolicy): Promise<Socket> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await connectOnce(target);
    } catch (err) {
      lastError = err as Error;
      console.error(`attempt ${attempt}/${attempts} to reach ${target.host}:${target.port} failed: ${lastError.message}`);
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw new Error(`cannot reach ${target.host}:${target.port} after ${attempts} attempts: ${lastError?.message}`);
}

/** Sends `message` as one line and resolves with the first line the server answers. */
export async function ask(socket: Socket, message: string): Promise<string> {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  socket.write(`${message}\n`);
  try {
    const [answer] = (await once(lines, "line", { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) })) as [string];
    return answer;
  } catch (err) {
    if ((err as Error).name === "AbortError") throw new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`);
    throw err;
  } finally {
    lines.close();
    socket.end();
  }
}
