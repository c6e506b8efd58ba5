/**
 * test/toolchain/smoke.sh in the test command. It checks what the deploy
 * project does not: each plugin of the toolchain reports the version its npm
 * SDK asks for (the CLI takes a plugin on PATH for any version, so a wrong one
 * would deploy unnoticed), our docker bridge serves every token and property
 * of @pulumi/docker, the program and its dynamic provider run on the Node of
 * .node-version, the CLI installs no plugin into PULUMI_HOME; and, through
 * test/toolchain/docker-smoke.sh, what the engine made of every input the
 * Service component sets (hardening, limits, healthcheck, logging, user),
 * a replacement, refresh and destroy, all with names of its own on the shared
 * engine. The test command sets DOCKER_HOST, so docker-smoke.sh must run.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

const SMOKE = join(__dirname, "smoke.sh");

function runSmoke(): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SMOKE, [], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? 1, output }));
  });
}

it("passes test/toolchain/smoke.sh, docker-smoke.sh on the engine included", async () => {
  expect({ DOCKER_HOST: process.env.DOCKER_HOST ? "set" : 'unset: eval "$(scripts/test-engine.sh env)" first' }).toEqual({ DOCKER_HOST: "set" });
  const { status, output } = await runSmoke();
  const steps = output.split("\n").filter((line) => /^(docker-)?smoke: /.test(line));
  // On failure: the steps passed, then the script's own message with the tail of what the CLI printed.
  expect({ status, tail: status === 0 ? "" : output.slice(-6000) }).toEqual({ status: 0, tail: "" });
  expect(steps).toEqual(expect.arrayContaining(["docker-smoke: passed", "smoke: passed"]));
}, 10 * 60 * 1000);
