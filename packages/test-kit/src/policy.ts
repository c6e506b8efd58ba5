/**
 * The policy pack (policy/) run by the Pulumi CLI: `pulumi preview
 * --policy-pack`, through `npm run pulumi` (scripts/labs.sh) with the ci
 * stack's environment, and the CLI's report read back from its output.
 *
 * The CLI runs a local pack from its folder as it is and installs nothing
 * (it runs `npm install` only for packs a Pulumi Cloud organisation
 * requires): the language host starts `@pulumi/pulumi/cmd/run-policy-pack`
 * found from policy/, and the pack's imports resolve the same way. policy/ is
 * an npm workspace of the root package, so `npm ci` at the root put
 * @pulumi/policy in the root node_modules, where node finds it from there.
 */
import { join } from "node:path";
import { labs, REPO_ROOT, type CiStack, type CommandResult } from "./ciStack";

export const POLICY_PACK_DIR = join(REPO_ROOT, "policy");

/** One entry of the "Policies:" section the CLI prints after a preview. */
export interface PolicyViolation {
  level: string;
  policy: string;
  /** "<type>: <name>", e.g. "docker:index:Container: refusal-cache". */
  resource: string;
  /** The lines under it: the policy's description, then what the rule reported. */
  message: string;
}

export interface PolicyPreview extends CommandResult {
  /** The pack's line, e.g. "container-labs@v0.1.0"; undefined when the CLI did not report the pack. */
  pack?: string;
  violations: PolicyViolation[];
}

/**
 * What the CLI prints, as an advisory entry, for a rule it could not judge
 * because a value was not known yet; on a stack that is up every value is
 * known, so none may appear there.
 */
export const NOT_JUDGED = /can't run policy '.*' during preview/;

/** The violations the CLI listed, mandatory and advisory, in its order. */
export function policyViolations(output: string): PolicyViolation[] {
  const lines = output.split("\n");
  const violations: PolicyViolation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const entry = /^\s*- \[(\w+)\]\s+(\S+)\s+\((.+)\)\s*$/.exec(lines[i]);
    if (!entry) continue;
    const message: string[] = [];
    while (i + 1 < lines.length && lines[i + 1].trim() !== "" && !/^\s*- \[\w+\]/.test(lines[i + 1]) && /^\s{6,}/.test(lines[i + 1])) {
      message.push(lines[++i].trim());
    }
    violations.push({ level: entry[1], policy: entry[2], resource: entry[3], message: message.join("\n") });
  }
  return violations;
}

/**
 * `npm run pulumi -- preview --policy-pack policy --stack <stack>`: with
 * `cwd`, of the Pulumi project in that folder (the pack then named by its
 * absolute path); with `expectNoChanges`, the CLI also fails when the preview
 * proposes a change (`--expect-no-changes`), so one preview of a deployed
 * stack answers both questions. Resolves whatever the CLI's exit status, with
 * its report.
 */
export async function policyPreview(stack: CiStack, stackName: string, options: { cwd?: string; expectNoChanges?: boolean } = {}): Promise<PolicyPreview> {
  const where = options.cwd ? ["--cwd", options.cwd] : [];
  const pack = options.cwd ? POLICY_PACK_DIR : "policy";
  const noChanges = options.expectNoChanges ? ["--expect-no-changes"] : [];
  const result = await labs(stack, ["pulumi", "preview", "--policy-pack", pack, "--stack", stackName, "--non-interactive", ...noChanges, ...where], { quiet: true });
  return {
    ...result,
    pack: /\s(\S+@v\S+) \(local: [^)]*\)/.exec(result.output)?.[1],
    violations: policyViolations(result.output),
  };
}
