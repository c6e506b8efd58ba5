/**
 * Issue 27, item 10: `npm run down` as a user runs it (scripts/labs/main.ts),
 * with a stand-in `pulumi` on PATH that keeps a stack's state in a file and
 * logs every call, and a stand-in Engine API (test/support/fakeEngine.ts) that
 * the stand-in's destroy removes volumes from, as the Docker provider would.
 * It shows the order: destroy keeping what is protected, the report or, with
 * --purge, the list of what goes, then the protection lifted and the rest
 * destroyed through Pulumi, then the engine's leftovers and the files; and
 * that --purge refuses a remote target before destroying anything.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeEngine, TWO_STACKS, type FakeEngine } from "../support/fakeEngine";
import { lineFilter, STACK_RM_HINT } from "../../scripts/labs/pulumi";
import { cliConfig, runLabs, type LabsRun } from "../support/fakePulumi";

/** The stand-in pulumi: the commands main.ts runs, on a state file; `destroy` removes volumes from the engine. */
const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const http = require("http");
const world = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_WORLD, "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify(args) + "\\n");
const save = () => fs.writeFileSync(process.env.FAKE_PULUMI_WORLD, JSON.stringify(world));
const has = (flag) => args.includes(flag);
const removeVolume = (name) => new Promise((resolve, reject) => {
  const request = http.request({ socketPath: world.engineSocket, method: "DELETE", path: "/volumes/" + encodeURIComponent(name) }, (response) => { response.resume(); response.on("end", resolve); });
  request.on("error", reject);
  request.end();
});
(async () => {
  const [command, sub] = args;
  if (command === "version") return console.log("v3.999.0");
  if (command === "stack" && sub === "ls") return console.log(JSON.stringify([{ name: world.stack }]));
  if (command === "stack" && sub === "select") return;
  if (command === "stack" && sub === "export") return console.log(JSON.stringify({ deployment: { resources: world.resources } }));
  if (command === "config") return console.log(JSON.stringify(world.config));
  if (command === "state" && sub === "unprotect" && has("--all")) {
    for (const resource of world.resources) delete resource.protect;
    save();
    return console.log("fake pulumi: unprotected");
  }
  if (command === "destroy") {
    const keep = has("--exclude-protected") ? world.resources.filter((resource) => resource.protect) : [];
    for (const resource of world.resources.filter((r) => !keep.includes(r) && r.type === "docker:index/volume:Volume" && !r.retainOnDelete)) await removeVolume(resource.outputs.name);
    world.resources = keep;
    save();
    console.log("fake pulumi: destroyed" + (keep.length > 0 ? ", " + keep.length + " protected left" : ""));
    // The real CLI's closing hint (pkg/cmd/pulumi/operations/destroy.go, v3.270.0) when the stack is left empty.
    if (keep.length === 0) process.stdout.write("The resources in the stack have been deleted, but the history and configuration associated with the stack are still maintained. \\nIf you want to remove the stack completely, run \`pulumi stack rm " + world.stack + "\`.\\n");
    return;
  }
  console.error("fake pulumi: unknown command " + args.join(" "));
  process.exit(2);
})();
`;

const MANAGED = { "container-labs.managed-by": "pulumi" };

let engine: FakeEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** Runs `npm run down -- --stack <stack> [flags]` with the stand-in pulumi. */
function down(stack: string, world: Record<string, unknown>, ...flags: string[]): Promise<LabsRun> {
  return runLabs(["down", "--stack", stack, ...flags], FAKE_PULUMI, { stack, ...world });
}

/** The state of a local-target stack named `stack` with everything up: a protected, a retained and a scratch volume (enough to show each path). */
function upState(stack: string) {
  const volume = (name: string, options: { protect?: boolean; retainOnDelete?: boolean }) => ({
    type: "docker:index/volume:Volume",
    urn: `urn:pulumi:${stack}::container-labs::x$docker:index/volume:Volume::${name}`,
    inputs: { name },
    outputs: { name },
    ...options,
  });
  return [
    volume(`${stack}.postgres_data`, { protect: true }),
    volume(`${stack}.webstack_media`, { retainOnDelete: true }),
    volume(`${stack}.t2v`, {}),
    { type: "docker:index/container:Container", urn: `urn:pulumi:${stack}::container-labs::x$docker:index/container:Container::kleeweb-db`, inputs: { name: "kleeweb-db" }, outputs: { name: "kleeweb-db" } },
  ];
}

/** The engine with the stack `lab2` up beside local's leftovers (TWO_STACKS has ci's: renamed to lab2's here). */
async function engineWithLab2(): Promise<FakeEngine> {
  return startFakeEngine({
    volumes: [
      ...TWO_STACKS.volumes!.filter((volume) => !volume.Name.startsWith("ci.")),
      { Name: "lab2.postgres_data", Labels: { ...MANAGED } },
      { Name: "lab2.webstack_media", Labels: { ...MANAGED } },
      { Name: "lab2.t2v", Labels: { ...MANAGED } },
    ],
    images: TWO_STACKS.images!.map((image) => ({ ...image, RepoTags: image.RepoTags.map((tag) => tag.replace(/:ci$/, ":lab2")) })),
  });
}

function dataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "labs-data-")), "lab2");
  mkdirSync(join(dir, "docker-basics", "bind"), { recursive: true });
  writeFileSync(join(dir, "docker-basics", "bind", "save_file"), "first line\n");
  return dir;
}

// A stack without a stack file: the local target. Not `ci`, whose file the deployment tests write on some machines.
const STACK = "lab2";

it("down reports what it leaves, the --purge line last, and removes none of it", async () => {
  engine = await engineWithLab2();
  const dir = dataDir();
  const run = await down(STACK, { engineSocket: engine.endpoint.slice("unix://".length), config: cliConfig(STACK, { localDockerHost: engine.endpoint, localDataDir: dir }), resources: upState(STACK) });
  expect([run.status, run.output]).toEqual([0, expect.stringContaining("Left on purpose:\n")]);
  expect(run.output.trimEnd().split("\n").at(-1)).toBe("Remove it all, the data included: npm run down -- --stack lab2 --purge");
  expect(run.calls.map((call) => call.slice(0, 2).join(" "))).toEqual(["version", "stack select", "destroy --yes", "config --json", "stack export"]);
  expect(run.calls[2]).toEqual(["destroy", "--yes", "--exclude-protected", "--stack", STACK]);
  expect(engine.contents.volumes.map((volume) => volume.Name)).toEqual(["postgres_data", "webstack_postgres_data", "someone-elses", "lab2.postgres_data", "lab2.webstack_media"]);
  expect(existsSync(dir)).toBe(true);
}, 60000);

it("down --purge prints what it removes, then removes the stack's protected and retained volumes, its images and files, and nothing of local's", async () => {
  engine = await engineWithLab2();
  const dir = dataDir();
  const run = await down(STACK, { engineSocket: engine.endpoint.slice("unix://".length), config: cliConfig(STACK, { localDockerHost: engine.endpoint, localDataDir: dir }), resources: upState(STACK) }, "--purge");
  expect([run.status, run.output]).toEqual([0, expect.stringContaining('Purged: nothing of the stack "lab2" is left')]);
  // Pulumi's own lines pass, but not its hint of a bare `pulumi stack rm`, which fails in this checkout.
  expect(run.output).toContain("fake pulumi: destroyed\n");
  expect(run.output).not.toMatch(/stack rm|history and configuration/);
  const listed = run.output.indexOf('Purging the stack "lab2" removes, data included:\n' +
    "  protected volumes (protection lifted, then destroyed with what is left of the stack): lab2.postgres_data\n" +
    "  data volumes: lab2.webstack_media\n" +
    "  images built here (2 tags, 0.8 GiB counted image by image, less on disk where they share layers (docker system df)): container-labs/dockercoins-rng:lab2, container-labs/kleeweb-web:lab2\n" +
    `  the labs' files: ${dir}\n`);
  // Listed before the first removal after down's own destroy (the protection lifted).
  expect(listed).toBeGreaterThan(-1);
  expect(listed).toBeLessThan(run.output.indexOf("fake pulumi: unprotected"));
  expect(run.calls.map((call) => call.join(" "))).toEqual([
    "version",
    `stack select ${STACK}`,
    `config --json --show-secrets --stack ${STACK}`,
    `destroy --yes --exclude-protected --stack ${STACK}`,
    `config --json --show-secrets --stack ${STACK}`,
    `stack export --stack ${STACK}`,
    `state unprotect --all --yes --stack ${STACK}`,
    `destroy --yes --stack ${STACK}`,
  ]);
  expect(engine.contents.volumes.map((volume) => volume.Name)).toEqual(["postgres_data", "webstack_postgres_data", "someone-elses"]);
  expect(engine.contents.images.map((image) => image.RepoTags)).toEqual([["container-labs/dockercoins-rng:local"], ["container-labs/kleeweb-web:local"], ["postgres:16"]]);
  expect(existsSync(dir)).toBe(false);
}, 60000);

it("down --purge on a remote target refuses before destroying anything, and says what to run", async () => {
  const run = await down("dev", { config: cliConfig("dev", {}, { registryToken: "ghp_test" }), resources: [] }, "--purge");
  expect(run.status).toBe(1);
  expect(run.output).toContain('container-labs: --purge removes what down leaves on this machine\'s engine, which only the local target uses; the stack "dev" is on the ec2 target. Run npm run down -- --stack dev; it says what stays there.');
  expect(run.calls.filter((call) => call[0] === "destroy")).toEqual([]);
}, 60000);

it("leaves out only the lines of Pulumi's stack rm hint, judging each line once it is whole, whatever the chunks", () => {
  const text = "Destroying (lab2):\n - docker:Container kleeweb-db deleted\nThe resources in the stack have been deleted, but the history and configuration associated with the stack are still maintained. \nIf you want to remove the stack completely, run `pulumi stack rm lab2`.\nDuration: 3s";
  for (const size of [1, 7, text.length]) {
    const filter = lineFilter(STACK_RM_HINT);
    let out = "";
    for (let at = 0; at < text.length; at += size) out += filter.write(text.slice(at, at + size));
    out += filter.end();
    expect(out).toBe("Destroying (lab2):\n - docker:Container kleeweb-db deleted\nDuration: 3s");
  }
});
