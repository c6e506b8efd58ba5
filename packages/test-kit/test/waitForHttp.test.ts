/** bin/wait-for-http.ts: how scripts/standins/build.sh waits for the registry it starts. */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { freePort } from "../src/wait";

const CLI = join(__dirname, "..", "bin", "wait-for-http.ts");
const waitForHttp = (args: string[]) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (status) => resolve({ status, stderr }));
  });

let server: Server | undefined;
afterEach(() => server?.close());

it("exits 0 once the URL answers, though it did not at first", async () => {
  const port = await freePort();
  setTimeout(() => (server = createServer((_req, res) => res.end("{}")).listen(port, "127.0.0.1")), 1000);
  expect(await waitForHttp([`http://127.0.0.1:${port}/v2/`, String(process.pid), "20"])).toEqual({ status: 0, stderr: "" });
}, 30_000);

it("gives up at once, saying so, when the process that should answer has exited", async () => {
  const exited = spawnSync("true").pid;
  const port = await freePort();
  expect(await waitForHttp([`http://127.0.0.1:${port}/v2/`, String(exited), "20"])).toEqual({ status: 1, stderr: `process ${exited} exited before http://127.0.0.1:${port}/v2/ answered\n` });
}, 30_000);

it("fails naming the URL when it does not answer in time", async () => {
  const port = await freePort();
  const { status, stderr } = await waitForHttp([`http://127.0.0.1:${port}/v2/`, String(process.pid), "1"]);
  expect({ status, stderr }).toEqual({ status: 1, stderr: expect.stringContaining(`timed out after 1000 ms waiting for http://127.0.0.1:${port}/v2/ to answer`) });
}, 30_000);
