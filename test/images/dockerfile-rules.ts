/**
 * Static rules for the project's Dockerfiles. Each rule takes the text of a
 * Dockerfile (and what it needs to know about the build context) and returns
 * the problems it finds, one sentence each: [] means the file keeps the rule.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { Add, Copy, DockerfileParser, From, type Arg, type Dockerfile, type Instruction } from "dockerfile-ast";
import { globToRegExp } from "@container-labs/test-kit";

/** `name:version@sha256:<64 hex>`; the tag must hold a digit, so `latest` or `bookworm-slim` alone are not versions. */
const PINNED_IMAGE = /^(?<name>[^\s:@]+(?::\d+\/[^\s:@]+)?):(?<tag>[\w][\w.-]*)@sha256:[0-9a-f]{64}$/;
const ROOT_USERS = new Set(["root", "0"]);

const parse = (text: string): Dockerfile => DockerfileParser.parse(text);
const lineOf = (instruction: Instruction): number => (instruction.getRange()?.start.line ?? 0) + 1;

function argDefaults(args: Arg[]): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const arg of args) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value !== null && value !== undefined) defaults.set(property.getName(), value);
  }
  return defaults;
}

/** The ARG defaults declared before the first FROM: the only variables a FROM can use. */
const globalArgDefaults = (dockerfile: Dockerfile): Map<string, string> => argDefaults(dockerfile.getInitialARGs());

/**
 * The base images this Dockerfile defaults to that differ from what the program pins: for each
 * global build argument in `pinned` (argument name to the program's reference) that the file
 * declares with a default, one sentence when the two differ.
 */
export function baseImageDefaultProblems(text: string, pinned: ReadonlyMap<string, string>): string[] {
  const defaults = globalArgDefaults(parse(text));
  return [...pinned].flatMap(([arg, reference]) => {
    const value = defaults.get(arg);
    return value === undefined || value === reference ? [] : [`ARG ${arg} defaults to ${value}, where the program pins ${reference}`];
  });
}

/** Replaces `${NAME}` and `$NAME` from `values`; unknown variables stay as they are. */
export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => values.get((braced ?? bare)!) ?? whole);
}

interface Stage {
  name?: string;
  /** The image or earlier stage it starts FROM, as written. */
  base: string;
  instructions: Instruction[];
}

function stages(dockerfile: Dockerfile): Stage[] {
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      result.push({ name: instruction.getBuildStage() ?? undefined, base: instruction.getImage() ?? "", instructions: [instruction] });
    } else {
      result[result.length - 1]?.instructions.push(instruction);
    }
  }
  return result;
}

/**
 * The instructions that make the image of `target` (the last stage when
 * unset): those of the stage and of every earlier stage it is built FROM,
 * from the first FROM of an image on.
 */
function runtimeStage(dockerfile: Dockerfile, target?: string): Instruction[] {
  const all = stages(dockerfile);
  let stage: Stage | undefined = target === undefined ? all[all.length - 1] : all.find((candidate) => candidate.name === target);
  if (!stage) return [];
  const chain: Instruction[][] = [];
  while (stage) {
    chain.unshift(stage.instructions);
    const base: string = stage.base;
    stage = all.slice(0, all.indexOf(stage)).reverse().find((earlier) => earlier.name !== undefined && earlier.name === base);
  }
  return chain.flat();
}

/** The image the runtime stage starts from, ARGs resolved. */
export function runtimeBaseImage(text: string, target?: string): string | undefined {
  const dockerfile = parse(text);
  const from = runtimeStage(dockerfile, target)[0];
  const image = from instanceof From ? from.getImage() : undefined;
  return image === undefined || image === null ? undefined : substitute(image, globalArgDefaults(dockerfile));
}

/** BuildKit fetches the frontend a `# syntax=` line names from a registry: offline or mirrored builds fail. */
export function syntaxDirectiveProblems(text: string): string[] {
  const line = text.split("\n").findIndex((candidate) => /^#\s*syntax\s*=/i.test(candidate));
  return line < 0 ? [] : [`line ${line + 1}: a # syntax= directive makes every build fetch that frontend from a registry`];
}

/**
 * Every external image a FROM names comes through a global ARG (so that a
 * mirror can replace it) whose default is the pinned reference.
 */
export function hardCodedBaseImageProblems(text: string): string[] {
  const dockerfile = parse(text);
  const stageNames = new Set<string>();
  const problems: string[] = [];
  for (const from of dockerfile.getFROMs()) {
    const image = from.getImage() ?? "";
    if (!stageNames.has(image) && image !== "scratch" && !/^\$\{?\w+\}?$/.test(image)) {
      problems.push(`line ${lineOf(from)}: FROM ${image} names its base directly, not through a build argument a mirror can set`);
    }
    const stage = from.getBuildStage();
    if (stage) stageNames.add(stage);
  }
  return problems;
}

/**
 * `internalArgs`: build arguments that name an image the program itself
 * builds (the workspace image): they have no default to pin.
 */
export function unpinnedBaseImageProblems(text: string, internalArgs: ReadonlySet<string> = new Set()): string[] {
  const dockerfile = parse(text);
  const args = globalArgDefaults(dockerfile);
  const stageNames = new Set<string>();
  const problems: string[] = [];
  for (const from of dockerfile.getFROMs()) {
    const written = from.getArguments().find((argument) => !argument.getValue().startsWith("--"))?.getValue() ?? "";
    const image = substitute(written, args);
    const stage = from.getBuildStage();
    const internal = [...internalArgs].some((name) => written === `\${${name}}` || written === `$${name}`);
    if (!stageNames.has(image) && image !== "scratch" && !internal) {
      const pinned = PINNED_IMAGE.exec(image);
      if (!pinned || !/\d/.test(pinned.groups!.tag)) {
        const resolved = image === written ? "" : ` (${written} resolves to "${image}")`;
        problems.push(`line ${lineOf(from)}: FROM ${written}${resolved} is not pinned as name:version@sha256:<64 hex>`);
      }
    }
    if (stage) stageNames.add(stage);
  }
  return problems;
}

export function rootRuntimeProblems(text: string, target?: string): string[] {
  const users = runtimeStage(parse(text), target).filter((instruction) => instruction.getKeyword() === "USER");
  const last = users[users.length - 1];
  if (!last) return ["the runtime (last) stage sets no USER, so it runs as the base image's user (root for most)"];
  const user = last.getArgumentsContent()?.split(":")[0] ?? "";
  return ROOT_USERS.has(user) ? [`line ${lineOf(last)}: the runtime stage runs as ${user}`] : [];
}

/** Docker's own rule: an argument list that parses as a JSON array of strings is exec form, anything else is run by /bin/sh -c. */
function isExecForm(instruction: Instruction): boolean {
  try {
    const parsed: unknown = JSON.parse(instruction.getArgumentsContent() ?? "");
    return Array.isArray(parsed) && parsed.every((word) => typeof word === "string");
  } catch {
    return false;
  }
}

export type EntrypointForm = "exec" | "shell";

/**
 * "exec": every ENTRYPOINT and CMD is an exec-form JSON array. "shell": the
 * ENTRYPOINT is shell form; its CMD is then left alone, since a shell-form
 * ENTRYPOINT never passes the CMD on (showing that is the point of the example).
 */
export function entrypointFormProblems(text: string, expected: EntrypointForm): string[] {
  const dockerfile = parse(text);
  const checked = expected === "exec" ? [...dockerfile.getENTRYPOINTs(), ...dockerfile.getCMDs()] : dockerfile.getENTRYPOINTs();
  const problems = checked
    .filter((instruction) => (isExecForm(instruction) ? "exec" : "shell") !== expected)
    .map((instruction) => `line ${lineOf(instruction)}: ${instruction.getKeyword()} ${instruction.getArgumentsContent()} is not ${expected} form`);
  if (expected === "shell" && dockerfile.getENTRYPOINTs().length === 0) problems.push("expected a shell-form ENTRYPOINT, found none");
  return problems;
}

export function missingHealthcheckProblems(text: string, target?: string): string[] {
  const healthchecks = runtimeStage(parse(text), target).filter((instruction) => instruction.getKeyword() === "HEALTHCHECK");
  const enabled = healthchecks.filter((healthcheck) => healthcheck.getArgumentsContent()?.trim().toUpperCase() !== "NONE");
  return enabled.length > 0 ? [] : ["the runtime stage serves HTTP but has no HEALTHCHECK"];
}

/** A one-shot job's image: no HEALTHCHECK or EXPOSE for a server it does not run. */
export function serverMetadataProblems(text: string, target?: string): string[] {
  return runtimeStage(parse(text), target)
    .filter((instruction) => ["HEALTHCHECK", "EXPOSE"].includes(instruction.getKeyword()))
    .map((instruction) => `line ${lineOf(instruction)}: ${instruction.getKeyword()} in an image that runs no server`);
}

/** What a COPY can see: the context directory, minus what its .dockerignore patterns exclude. */
export interface BuildContext {
  directory: string;
  isIgnored(relativePath: string): boolean;
}



const GLOB_CHARS = /[*?[]/;

function sourceProblem(source: string, context: BuildContext): string | undefined {
  const relative = source.replace(/^\.?\/+/, "").replace(/\/+$/, "") || ".";
  if (relative === "." || relative === "..") return undefined;
  if (relative.startsWith("../")) return `${source} is outside the build context`;
  if (GLOB_CHARS.test(relative)) {
    const parent = dirname(relative);
    if (GLOB_CHARS.test(parent)) return undefined; // a glob across directories: not checked here
    const name = globToRegExp(relative.slice(parent.length + 1));
    const directory = join(context.directory, parent);
    const matches = existsSync(directory) ? readdirSync(directory).filter((entry) => name.test(entry)) : [];
    const visible = matches.filter((entry) => !context.isIgnored(parent === "." ? entry : `${parent}/${entry}`));
    return visible.length > 0 ? undefined : `${source} matches nothing in the build context`;
  }
  if (!existsSync(join(context.directory, relative))) return `${source} does not exist in the build context`;
  if (context.isIgnored(relative)) return `${source} is excluded from the build context by .dockerignore`;
  return undefined;
}

/**
 * Every COPY or ADD source taken from the build context must be there:
 * `--from` copies come from a stage and remote ADD sources from the network,
 * so neither is checked. `buildArgs` are the values the build passes.
 */
export function missingCopySourceProblems(text: string, context: BuildContext, buildArgs: ReadonlyMap<string, string> = new Map()): string[] {
  const dockerfile = parse(text);
  const values = new Map([...globalArgDefaults(dockerfile), ...argDefaults(dockerfile.getARGs()), ...buildArgs]);
  const problems: string[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (!(instruction instanceof Copy || instruction instanceof Add)) continue;
    const keyword = instruction.getKeyword();
    const fromStage = instruction.getFlags().some((flag) => flag.getName() === "from");
    if (fromStage || instruction.getArgumentsContent()?.includes("<<")) continue;
    const words = isExecForm(instruction)
      ? (JSON.parse(instruction.getArgumentsContent()!) as string[])
      : instruction.getArguments().map((argument) => argument.getValue());
    const sources = words.filter((word) => !word.startsWith("--")).slice(0, -1);
    for (const written of sources) {
      if (/^(https?|git):\/\/|^git@/.test(written)) continue;
      const source = substitute(written, values);
      const problem = source.includes("$")
        ? `${written} uses a variable with no value, so it cannot be checked`
        : sourceProblem(source, context);
      if (problem) problems.push(`line ${lineOf(instruction)}: ${keyword} source ${problem}`);
    }
  }
  return problems;
}
