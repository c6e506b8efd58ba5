/**
 * Before the deployment tests: a fresh `ci` stack on the private engine, made
 * by the command a newcomer runs (`npm run up`). What an earlier run left on
 * the engine (containers, networks, kept volumes) and in the checkout's state
 * is removed first, so every run deploys onto a clean engine, as a first
 * deployment does. How long it took is written for the closing report.
 *
 * CONTAINER_LABS_KEEP_STACK=1 (while writing these tests): an existing ci
 * stack is kept and brought up to date instead, and teardown leaves it up.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshUp, prepareCiStack, REPO_ROOT, up } from "@container-labs/test-kit";

export const keepStack = (): boolean => Boolean(process.env.CONTAINER_LABS_KEEP_STACK);

export default async function setup(): Promise<void> {
  const earlier = await prepareCiStack();
  if (keepStack()) {
    await up(earlier);
    return;
  }
  // An earlier run's stack (if any) goes first, with what it left on the engine.
  const deployed = await freshUp();
  const artifacts = join(REPO_ROOT, "test-artifacts");
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, "deploy-timings.json"), JSON.stringify({ firstUpSeconds: deployed.seconds }, null, 2));
  process.stderr.write(`\ndeploy: the ci stack is up after ${deployed.seconds.toFixed(0)} s\n`);
}
