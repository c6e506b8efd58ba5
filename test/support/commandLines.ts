/**
 * The command lines a user copies from the README or from the stack outputs,
 * and what makes one fail as printed: a bare `pulumi` (it finds neither this
 * checkout's state nor its passphrase), an npm script that does not exist, a
 * config key the program does not read, a file that is not in the checkout.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { projectFile, ROOT } from "./stackConfig";

/** Secret keys the program reads but Pulumi.yaml cannot declare with a default (the CLI refuses one on a secret). */
export const UNDECLARED_SECRET_KEYS = ["registryToken", "registryPullToken", "sshPrivateKey", "notificationsSecretKey"] as const;

/** Config namespaces of the providers, whose keys belong to them, not to this project. */
const PROVIDER_NAMESPACES = ["aws:"];

/** npm's own commands, which are not scripts of package.json. */
const NPM_BUILTINS = new Set(["ci", "install", "test", "start"]);

/** Where a command line was found, for the failure message. */
export interface CommandLine {
  where: string;
  line: string;
}

/** Every line of the README's fenced shell blocks, and every inline code span that starts with a command word. */
export function readmeCommandLines(markdown: string): CommandLine[] {
  const lines: CommandLine[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, index) => {
    const where = `README.md:${index + 1}`;
    const opening = /^```(\w*)/.exec(text);
    if (opening) {
      fence = fence === undefined ? opening[1] : undefined;
      return;
    }
    if (fence !== undefined) {
      if (fence === "sh" && text.trim() && !text.trim().startsWith("#")) lines.push({ where, line: text.replace(/\s+#.*$/, "").trim() });
      return;
    }
    for (const span of text.matchAll(/`([^`]+)`/g)) {
      if (/^(pulumi|npm|curl|nc|echo|cat|docker|scripts\/)\b/.test(span[1])) lines.push({ where, line: span[1].replace(/\\\|/g, "|") });
    }
  });
  return lines;
}

/** A span that names a Pulumi operation in prose (`pulumi up`), not a command to copy. */
function isOperationName(line: string): boolean {
  return /^pulumi (up|preview|destroy|refresh)$/.test(line);
}

/** The commands of one line, split at the shell's `&&`, `||`, `;` and `|`, and a command substitution `$(...)` taken out on its own. */
function commandsOf(line: string): string[] {
  return line.split(/&&|\|\||;|\||\$\(|\)/).map((part) => part.trim()).filter(Boolean);
}

/** What is wrong with one command line as printed; empty when it works. */
export function commandLineProblems(line: string, scripts: Record<string, string>): string[] {
  if (isOperationName(line)) return [];
  const declared = new Set([...Object.keys(projectFile().config), ...UNDECLARED_SECRET_KEYS]);
  const problems: string[] = [];
  for (const command of commandsOf(line)) {
    const words = command.split(/\s+/);
    if (words[0] === "pulumi") problems.push(`"${command}": a bare pulumi finds neither this checkout's state nor its passphrase; use npm run pulumi -- ${words.slice(1).join(" ")}`);
    if (words[0] === "npm" && words[1] === "run") {
      const script = words.find((word, i) => i >= 2 && !word.startsWith("-"));
      if (script && !(script in scripts) && !NPM_BUILTINS.has(script)) problems.push(`"${command}": package.json has no script "${script}"`);
    }
    const set = words.findIndex((word) => word === "set" || word === "get");
    if (words.includes("config") && set > 0) {
      const key = words.slice(set + 1).find((word) => !word.startsWith("-"));
      const name = key?.replace(/^container-labs:/, "").replace(/^['"]|['"]$/g, "").split(/[[.]/)[0];
      if (name && !PROVIDER_NAMESPACES.some((ns) => name.startsWith(ns)) && !declared.has(name)) problems.push(`"${command}": the program reads no config key "${name}"`);
    }
    for (const word of words) {
      // `@-` is curl's standard input, not a file.
      const file = /^(?:\w+=)?@(?!-$)([\w./-]+)$/.exec(word)?.[1] ?? (/^(scripts|images|components|policy|test|bench)\/[\w./-]+$/.test(word) ? word : undefined);
      if (file && !existsSync(path.join(ROOT, file))) problems.push(`"${command}": ${file} does not exist in the checkout (run from its root)`);
    }
  }
  return problems;
}

export function packageScripts(): Record<string, string> {
  return (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
}
