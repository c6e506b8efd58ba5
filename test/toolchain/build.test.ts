/**
 * The toolchain's build (scripts/pulumi-toolchain/build.ts) runs each recipe
 * in a bash of its own: here, recipes of a test file in place of recipes.sh,
 * so that what is reported can be seen without building anything.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, COMPONENTS, orderProblems, type Component } from "../../scripts/pulumi-toolchain/build";
import { envLines, toolchainLayout } from "../../scripts/pulumi-toolchain/layout";

const REPO_ROOT = join(__dirname, "..", "..");

describe("the components", () => {
  it("are each built after the components whose results their recipes read", () => {
    expect(orderProblems(COMPONENTS)).toEqual([]);
  });

  it("name the problem when a component comes before one it reads", () => {
    const reversed: Component[] = [{ binary: "b", recipe: "build_b", after: ["a"] }, { binary: "a", recipe: "build_a" }];
    expect(orderProblems(reversed)).toEqual(["b is built after a, which is not listed before it"]);
  });

  it("each have their recipe in recipes.sh", () => {
    const defined = spawnSync("bash", ["-c", `source <(sed '/^# --- run one recipe/,$d' scripts/pulumi-toolchain/recipes.sh) && declare -F`], { cwd: REPO_ROOT, encoding: "utf8" }).stdout;
    for (const { recipe } of COMPONENTS) expect({ recipe, defined: defined.includes(`declare -f ${recipe}\n`) }).toEqual({ recipe, defined: true });
  });
});

describe("build", () => {
  let cache: string;
  let recipes: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), "toolchain-build-"));
    recipes = join(cache, "recipes.sh");
    writeFileSync(
      recipes,
      [
        'fresh() { echo "toolchain: $1: up to date"; }',
        'builds() { printf "toolchain: building %s ..." "$1"; touch "$BIN/$1"; }',
        'breaks() { echo "checking out" >"$3"; printf "toolchain: building %s ..." "$1"; echo "go: module not found" >&2; return 1; }',
        'takes_input() { echo "toolchain: $1 with cli_version=$cli_version"; }',
        'recipe=$1; shift; if "$recipe" "$@"; then exit 0; else exit 1; fi',
      ].join("\n"),
    );
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  async function run(components: Component[]): Promise<{ failures: string[]; output: string }> {
    let output = "";
    const layout = toolchainLayout({ CONTAINER_LABS_CACHE: cache });
    const failures = await build({ context: { layout, repoRoot: REPO_ROOT }, components, recipes, write: (text) => (output += text) });
    return { failures, output };
  }

  it("ends a recipe's progress line with its time, and passes on what it prints", async () => {
    const { failures, output } = await run([
      { binary: "a", recipe: "fresh" },
      { binary: "b", recipe: "builds" },
    ]);
    expect(failures).toEqual([]);
    expect(output).toMatch(/^toolchain: a: up to date\ntoolchain: building b \.\.\. done in \d+ s\n$/);
  });

  it("reports a failing recipe with its step and the tail of its log (its stderr included), and still builds the others", async () => {
    const { failures, output } = await run([
      { binary: "x", recipe: "breaks" },
      { binary: "y", recipe: "builds" },
    ]);
    expect(failures).toEqual(["x: checking out"]);
    const log = `${cache}/pulumi-toolchain/logs/x.log`;
    expect(output).toContain(`toolchain: building x ... FAILED\ntoolchain: FAILED x at step 'checking out' after 0 s; last lines of ${log}:\n    go: module not found\n`);
    expect(output).toMatch(/toolchain: building y \.\.\. done in \d+ s\n$/);
    expect(readFileSync(log, "utf8")).toBe("go: module not found\n");
  });

  it("gives a recipe the inputs its component declares", async () => {
    const { output } = await run([{ binary: "z", recipe: "takes_input", inputs: () => ({ cli_version: "3.274.0" }) }]);
    expect(output).toBe("toolchain: z with cli_version=3.274.0\n");
  });
});

describe("env", () => {
  it("puts the toolchain first on PATH, forbids plugin downloads and gives Docker the toolchain's config directory", () => {
    expect(envLines(toolchainLayout({ CONTAINER_LABS_CACHE: "/c" }))).toEqual([
      'export PATH=/c/pulumi-toolchain/bin:"$PATH"',
      "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
      "export PULUMI_SKIP_UPDATE_CHECK=true",
      "unset PULUMI_IGNORE_AMBIENT_PLUGINS",
      "export DOCKER_CONFIG=/c/pulumi-toolchain/docker-config",
    ]);
  });

  it("quotes a cache path with a space as bash's printf %q would be read back", () => {
    const [path] = envLines(toolchainLayout({ CONTAINER_LABS_CACHE: "/my cache" }));
    expect(spawnSync("bash", ["-c", `${path}; printf %s "\${PATH%%:*}"`], { encoding: "utf8" }).stdout).toBe("/my cache/pulumi-toolchain/bin");
  });

  it("is what scripts/pulumi-toolchain.sh env prints", () => {
    const printed = spawnSync(join(REPO_ROOT, "scripts", "pulumi-toolchain.sh"), ["env"], { env: { ...process.env, CONTAINER_LABS_CACHE: "/c" }, encoding: "utf8" }).stdout;
    expect(printed).toBe(`${envLines(toolchainLayout({ CONTAINER_LABS_CACHE: "/c" })).join("\n")}\n`);
  });
});
