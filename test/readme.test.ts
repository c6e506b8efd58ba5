/**
 * The README and the stack outputs as a newcomer uses them: every command
 * they print works as printed, and the configuration table says what
 * Pulumi.yaml declares.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { commandLineProblems, packageScripts, readmeCommandLines, UNDECLARED_SECRET_KEYS } from "./support/commandLines";
import { resolve, runStack } from "./support/mocks";
import { projectFile, ROOT } from "./support/stackConfig";
import { program } from "./labs/helpers";

const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The rows of the table under "## Configuration": key, default cell. */
function configurationTable(): Map<string, string> {
  const section = README.split(/^## Configuration$/m)[1].split(/^## /m)[0];
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([A-Za-z0-9]+)` \| ([^|]*) \|/gm)) rows.set(match[1], match[2].trim());
  return rows;
}

/** A Pulumi.yaml default as the table writes it. */
function asTableDefault(value: unknown): string {
  if (value === "") return '`""`';
  if (Array.isArray(value)) return `\`[${value.join(", ")}]\``;
  return `\`${String(value)}\``;
}

describe("the README's commands", () => {
  const scripts = packageScripts();

  it("finds the command lines it checks (code blocks and inline commands)", () => {
    const lines = readmeCommandLines(README).map((entry) => entry.line);
    expect(lines).toEqual(expect.arrayContaining(["npm run up", "npm run labs"]));
    expect(lines.length).toBeGreaterThan(40);
  });

  it("work as printed: no bare pulumi, only npm scripts that exist, only config keys the program reads, only files in the checkout", () => {
    const problems = readmeCommandLines(README).flatMap(({ where, line }) => commandLineProblems(line, scripts).map((problem) => `${where}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it("catches each kind of line that does not work", () => {
    expect(commandLineProblems("pulumi config set dockercoinsWorkers 4 && pulumi up", scripts)).toHaveLength(2);
    expect(commandLineProblems("npm run pulumi -- config set kleewebJobImage x", scripts)).toEqual([expect.stringContaining('no config key "kleewebJobImage"')]);
    expect(commandLineProblems("npm run deploy", scripts)).toEqual([expect.stringContaining('no script "deploy"')]);
    expect(commandLineProblems("curl -d @example-nowhere.json http://localhost:3000/", scripts)).toEqual([expect.stringContaining("example-nowhere.json does not exist")]);
    expect(commandLineProblems("curl -s -F file=@photo.jpg http://localhost:1337/upload", scripts)).toEqual([expect.stringContaining("photo.jpg does not exist")]);
    expect(commandLineProblems("npm run pulumi -- config set --path 'portRemap[0]' 8000=18000", scripts)).toEqual([]);
    expect(commandLineProblems("npm run pulumi -- config set --secret registryToken x", scripts)).toEqual([]);
    expect(commandLineProblems("pulumi up", scripts)).toEqual([]);
    expect(commandLineProblems("SECRET_KEY=$(npm run -s pulumi -- config get notificationsSecretKey) docker run x", scripts)).toEqual([]);
    expect(commandLineProblems("SECRET_KEY=$(npm run -s pulumi -- config get notificationsKey) docker run x", scripts)).toEqual([expect.stringContaining('no config key "notificationsKey"')]);
    expect(commandLineProblems("SECRET_KEY=$(pulumi config get notificationsSecretKey) docker run x", scripts)).toEqual([expect.stringContaining("a bare pulumi")]);
    expect(commandLineProblems("npm run -s notification | curl -s -X POST http://localhost:3000/api/notify -d @-", scripts)).toEqual([]);
  });
});

describe("the stack outputs' Try lines", () => {
  it.each([
    ["local", {}],
    ["dev", {}],
    ["local", { notificationsSecretKey: "0123456789abcdef0123456789abcdef" }],
  ])("of the %s stack work as printed (own secrets: %j)", async (stack, secrets) => {
    const run = await runStack(stack, program, { secrets: { registryToken: "ghp_test", ...secrets } });
    const labs = (await resolve(run.outputs.labs as never)) as Record<string, { tryIt: string[] }>;
    const problems = Object.entries(labs).flatMap(([lab, summary]) => summary.tryIt.flatMap((line) => commandLineProblems(line, packageScripts()).map((problem) => `${lab}: ${problem}`)));
    expect(problems).toEqual([]);
  });
});

describe("the README's configuration table", () => {
  const declared = projectFile().config;
  const table = configurationTable();

  it("lists every key Pulumi.yaml declares and every secret the program reads, and nothing else", () => {
    expect([...table.keys()].sort()).toEqual([...Object.keys(declared), ...UNDECLARED_SECRET_KEYS].sort());
  });

  it("gives each declared key the default Pulumi.yaml gives it", () => {
    const differing = Object.entries(declared)
      .filter(([key, declaration]) => table.get(key) !== asTableDefault(declaration.default))
      .map(([key, declaration]) => `${key}: README ${table.get(key)}, Pulumi.yaml ${asTableDefault(declaration.default)}`);
    expect(differing).toEqual([]);
  });
});
