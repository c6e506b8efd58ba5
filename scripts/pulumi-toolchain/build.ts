/**
 * Builds the toolchain: each component's recipe (recipes.sh) in order, in a
 * bash of its own, with progress, timing and a failure report. A component
 * that fails is reported with its step and the tail of its log; the others
 * are still built.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { recipeEnv, type ToolchainLayout } from "./layout.ts";
import { keptVersion, sdkVersion } from "./versions.ts";

/** One binary of the toolchain and the recipe of recipes.sh that builds it. */
export interface Component {
  binary: string;
  recipe: string;
  /** Components whose results this one's recipe reads, so built before it. */
  after?: string[];
  /** Values the recipe takes from another component's, by the variable recipes.sh reads. */
  inputs?: (context: BuildContext) => Record<string, string>;
}

export interface BuildContext {
  layout: ToolchainLayout;
  repoRoot: string;
}

/**
 * The CLI's version, as its recipe resolved it (the module and the npm
 * package are those build_cli names); empty when it could not, and the
 * language host's recipe then says so.
 */
function cliVersion({ layout, repoRoot }: BuildContext): string {
  const wanted = sdkVersion(readFileSync(`${repoRoot}/package-lock.json`, "utf8"), "@pulumi/pulumi");
  return (wanted && keptVersion(layout, "github.com/pulumi/pulumi/pkg/v3", wanted)) || "";
}

export const COMPONENTS: readonly Component[] = [
  { binary: "pulumi", recipe: "build_cli" },
  // Compiled in the CLI's tree (its sdk module), at the CLI's version.
  { binary: "pulumi-language-nodejs", recipe: "build_language_host", after: ["pulumi"], inputs: (context) => ({ cli_version: cliVersion(context) }) },
  { binary: "pulumi-resource-pulumi-nodejs", recipe: "build_dynamic_provider_launcher" },
  { binary: "pulumi-resource-docker-build", recipe: "build_docker_build" },
  // At the buildx version docker-build's go.mod names, read from docker-build's build directory.
  { binary: "docker-buildx", recipe: "build_buildx", after: ["pulumi-resource-docker-build"] },
  { binary: "pulumi-resource-docker", recipe: "build_docker" },
  { binary: "pulumi-resource-tls", recipe: "build_tls" },
];

/** Each `after` that does not name a component listed earlier. */
export function orderProblems(components: readonly Component[]): string[] {
  return components.flatMap((component, index) =>
    (component.after ?? [])
      .filter((binary) => !components.slice(0, index).some((earlier) => earlier.binary === binary))
      .map((binary) => `${component.binary} is built after ${binary}, which is not listed before it`),
  );
}

export interface BuildOptions {
  context: BuildContext;
  components: readonly Component[];
  /** The recipes' file: recipes.sh. */
  recipes: string;
  /** Where progress goes (stdout). */
  write: (text: string) => void;
}

const seconds = (since: number): number => Math.round((Date.now() - since) / 1000);

/** Runs one recipe; its stdout goes on to `write`, its stderr into its log. Resolves to whether it succeeded and left a line open. */
function runRecipe(options: BuildOptions, component: Component, log: string, stepFile: string): Promise<{ ok: boolean; lineOpen: boolean }> {
  const env = { ...process.env, ...recipeEnv(options.context.layout), NODE: process.execPath, ...component.inputs?.(options.context) };
  return new Promise((resolve) => {
    const child = spawn("bash", [options.recipes, component.recipe, component.binary, log, stepFile], { env, stdio: ["ignore", "pipe", "pipe"] });
    let lineOpen = false;
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      options.write(text);
      lineOpen = !text.endsWith("\n");
    });
    child.stderr.on("data", (chunk: Buffer) => appendFileSync(log, chunk));
    child.on("error", () => resolve({ ok: false, lineOpen }));
    child.on("close", (code) => resolve({ ok: code === 0, lineOpen }));
  });
}

const tail = (file: string, lines: number): string[] => (existsSync(file) ? readFileSync(file, "utf8").replace(/\n$/, "").split("\n").slice(-lines) : []);

/** Builds what is missing or out of date; resolves to the failures, "<binary>: <step>". */
export async function build(options: BuildOptions): Promise<string[]> {
  const { layout } = options.context;
  const problems = orderProblems(options.components);
  if (problems.length > 0) throw new Error(problems.join("; "));
  for (const dir of [layout.bin, layout.builds, layout.stamps, layout.logs, layout.resolved]) mkdirSync(dir, { recursive: true });
  const failures: string[] = [];
  for (const component of options.components) {
    const log = `${layout.logs}/${component.binary}.log`;
    const stepFile = `${layout.logs}/${component.binary}.step`;
    writeFileSync(log, "");
    writeFileSync(stepFile, "");
    const started = Date.now();
    const { ok, lineOpen } = await runRecipe(options, component, log, stepFile);
    if (lineOpen) options.write(ok ? ` done in ${seconds(started)} s\n` : " FAILED\n");
    if (ok) continue;
    const step = readFileSync(stepFile, "utf8").trim();
    options.write(`toolchain: FAILED ${component.binary} at step '${step}' after ${seconds(started)} s; last lines of ${log}:\n`);
    options.write(tail(log, 15).map((line) => `    ${line}\n`).join(""));
    failures.push(`${component.binary}: ${step}`);
  }
  return failures;
}
