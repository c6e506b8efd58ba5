/**
 * `npm run notification` (scripts/labs/main.ts) as the notifications lab's
 * curl line runs it for a user with a key of their own: it reads the stack's
 * notificationsSecretKey (from a stand-in `pulumi` here) and prints the
 * assignment's request sealed with it, which the built service holding that
 * key answers as it answers the assignment's own request: with its age.
 */
import { join } from "node:path";
import { startService } from "@container-labs/test-kit";
import { COURSE_NOTIFICATIONS_KEY } from "../../config";
import { EXAMPLE_BODY, EXAMPLE_TIMESTAMP } from "../../packages/notification-cipher/src/example";
import { cliConfig, runLabs } from "../support/fakePulumi";

const SERVICE_SCRIPT = join(__dirname, "..", "..", "images", "notifications", "notifications-service", "dist", "main.js");
const OWN_KEY = "0123456789abcdef0123456789abcdef";
// A stack without a stack file: the local target's defaults.
const STACK = "lab2";

/** The stand-in pulumi: `config` lists the world's config, as `pulumi config --json --show-secrets` does. */
const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const world = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_WORLD, "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify(args) + "\\n");
if (args[0] === "config") console.log(JSON.stringify(world.config));
else { console.error("fake pulumi: unknown command " + args.join(" ")); process.exit(2); }
`;

/** What the service started with `key` answers to `body`. */
async function answerOf(key: string, body: unknown): Promise<{ status: number; text: string }> {
  const service = await startService("notifications-service", { script: SERVICE_SCRIPT, args: ["--secret-key", key] });
  try {
    const response = await fetch(service.url("/api/notify"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  } finally {
    await service.stop();
  }
}

/** The age in seconds of the assignment's 2023 timestamp, as answered now (a minute's leeway). */
const isAgeOfExample = (answer: string) => Math.abs(Number(answer) - (Date.now() / 1000 - EXAMPLE_TIMESTAMP)) < 60;

it("prints, alone on its output, the assignment's request sealed with the stack's own key, which that key's service answers with its age", async () => {
  const run = await runLabs(["notification", "--stack", STACK], FAKE_PULUMI, { config: cliConfig(STACK, {}, { notificationsSecretKey: OWN_KEY }) });
  expect([run.status, run.output.split("\n").filter(Boolean)]).toEqual([0, [expect.stringMatching(/^\{.*\}$/)]]);
  expect(run.calls).toEqual([["config", "--json", "--show-secrets", "--stack", STACK]]);
  const body = JSON.parse(run.output) as Record<string, string>;
  const { cipher_data: sealed, ...fields } = body;
  const { cipher_data: assignments, ...assignmentsFields } = EXAMPLE_BODY;
  expect(fields).toEqual(assignmentsFields);
  expect(sealed).not.toBe(assignments);
  expect(run.output).not.toContain(OWN_KEY);
  const answer = await answerOf(OWN_KEY, body);
  expect(answer.status).toBe(200);
  expect(isAgeOfExample(answer.text)).toBe(true);
  // The course's service cannot open it: the body is the stack's key's own.
  expect((await answerOf(COURSE_NOTIFICATIONS_KEY, body)).text).toBe("Cipher text not encrypted with provided nonce and server key");
}, 60000);

it("seals it with the course's key when the stack sets none", async () => {
  const run = await runLabs(["notification", "--stack", STACK], FAKE_PULUMI, { config: cliConfig(STACK, {}) });
  expect(run.status).toBe(0);
  const answer = await answerOf(COURSE_NOTIFICATIONS_KEY, JSON.parse(run.output));
  expect([answer.status, isAgeOfExample(answer.text)]).toEqual([200, true]);
}, 60000);
