/**
 * `npm run pulumi -- <command>` in a fresh checkout: no stack is selected
 * before the first `up`, so a command that names none works on `local`,
 * created then, as `npm run up` chooses it (the README's
 * `npm run pulumi -- config set ...` lines come before any `up`). A stack
 * already selected, a command naming its stack, or a `stack` command keeps
 * its own choice.
 */
import { runLabs } from "../support/fakePulumi";

/** The stand-in pulumi: the stacks of the checkout's state, which one is selected, and every call logged. */
const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const world = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_WORLD, "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify(args) + "\\n");
const save = () => fs.writeFileSync(process.env.FAKE_PULUMI_WORLD, JSON.stringify(world));
const [command, sub, name] = args;
if (command === "version") return console.log("v3.999.0");
if (command === "stack" && sub === "ls") return console.log(JSON.stringify(world.stacks.map((stack) => ({ name: stack, current: stack === world.selected }))));
if (command === "stack" && sub === "init") { world.stacks.push(name); world.selected = name; return save(); }
if (command === "stack" && sub === "select") {
  if (!world.stacks.includes(name)) { console.error("error: no stack named '" + name + "' found"); process.exit(255); }
  world.selected = name;
  return save();
}
if (command === "config" && sub === "set") {
  if (!world.selected && !args.includes("--stack")) { console.error("error: no stack selected"); process.exit(255); }
  return;
}
console.error("fake pulumi: unknown command " + args.join(" "));
process.exit(2);
`;

const SET_WORKERS = ["config", "set", "dockercoinsWorkers", "4"];

it("selects the local stack, creating it, when a fresh checkout has none selected", async () => {
  const run = await runLabs(["pulumi", ...SET_WORKERS], FAKE_PULUMI, { stacks: [] });
  expect(run.output).toContain('creating the stack "local"');
  expect(run.status).toBe(0);
  expect(run.calls).toEqual(expect.arrayContaining([["stack", "init", "local"], ["stack", "select", "local"]]));
  expect(run.calls.at(-1)).toEqual(SET_WORKERS);
  expect(run.world).toMatchObject({ stacks: ["local"], selected: "local" });
});

it.each([
  ["a stack is selected", ["pulumi", ...SET_WORKERS], { stacks: ["local", "ci"], selected: "ci" }],
  ["the command names its stack", ["pulumi", ...SET_WORKERS, "--stack", "ci"], { stacks: ["ci"] }],
  ["it is a stack command", ["pulumi", "stack", "init", "dev"], { stacks: [] }],
])("leaves the choice alone when %s", async (_case, args, world) => {
  const run = await runLabs(args, FAKE_PULUMI, world);
  expect(run.status).toBe(0);
  expect(run.calls.filter((call) => call[0] === "stack" && call[1] !== "ls")).toEqual(args[1] === "stack" ? [args.slice(1)] : []);
});
