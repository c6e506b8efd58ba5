/**
 * Waits until URL answers with a 2xx status, while process PID lives:
 *
 *   wait-for-http.ts URL PID SECONDS
 *
 * Exit 0 once it answers; 1 when PID has exited or SECONDS have passed, saying which.
 */
import { httpOk, isAlive, waitFor } from "../src/wait.ts";

async function main([url, pid, seconds]: string[]): Promise<number> {
  let exited = false;
  const answered = () => {
    exited = !isAlive(Number(pid));
    return exited || httpOk(url);
  };
  await waitFor(`${url} to answer`, answered, { timeoutMs: Number(seconds) * 1000, intervalMs: 500 });
  if (!exited) return 0;
  console.error(`process ${pid} exited before ${url} answered`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
