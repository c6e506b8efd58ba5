/**
 * Before the deployment tests: a fresh `ci` stack on the private engine, made
 * by the command a newcomer runs (`npm run up`). What an earlier run left on
 * the engine (containers, networks, kept volumes) and in the checkout's state
 * is removed first, so every run deploys onto a clean engine, as a first
 * deployment does. How long it took is written for the closing report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CI_STACK, labs, prepareCiStack, REPO_ROOT, removeLeftovers, up } from "@container-labs/test-kit";

export default async function setup(): Promise<void> {
  const earlier = await prepareCiStack();
  // An earlier run's stack (if any) goes first, with its stack file: its state would point at removed containers.
  await labs(earlier, ["pulumi", "stack", "rm", "--yes", "--force", "--stack", CI_STACK]);
  await removeLeftovers(earlier);
  const deployed = await up(await prepareCiStack());
  const artifacts = join(REPO_ROOT, "test-artifacts");
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, "deploy-timings.json"), JSON.stringify({ firstUpSeconds: deployed.seconds }, null, 2));
  process.stderr.write(`\ndeploy: the ci stack is up after ${deployed.seconds.toFixed(0)} s\n`);
}
