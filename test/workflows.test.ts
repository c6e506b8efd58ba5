/**
 * The GitHub Actions workflows, checked statically: they parse, every action
 * they use is pinned, and they run what the repository says they run.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "./support/stackConfig";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on"?: string;
  environment?: string | { name: string };
  if?: string;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
interface CompositeAction {
  runs: { using: string; steps: Step[] };
}

const GITHUB = path.join(ROOT, ".github");
const WORKFLOW_FILES = readdirSync(path.join(GITHUB, "workflows")).filter((file) => /\.ya?ml$/.test(file)).map((file) => path.join(GITHUB, "workflows", file));
const ACTION_FILES = readdirSync(path.join(GITHUB, "actions")).map((dir) => path.join(GITHUB, "actions", dir, "action.yml"));

const read = (file: string) => readFileSync(file, "utf8");
const workflow = (name: string) => parse(read(path.join(GITHUB, "workflows", name))) as Workflow;
const localAction = (uses: string) => parse(read(path.join(ROOT, uses, "action.yml"))) as CompositeAction;

/** A job's steps with local composite actions expanded in place: what the runner executes, in order. */
function executedSteps(job: Job): Step[] {
  return (job.steps ?? []).flatMap((step) => (step.uses?.startsWith("./") ? executedSteps({ steps: localAction(step.uses).runs.steps }) : [step]));
}

const onlyJob = (file: string): Job => {
  const jobs = Object.values(workflow(file).jobs);
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const pulumiStep = (job: Job): Step => {
  const steps = executedSteps(job).filter((step) => step.uses?.startsWith("pulumi/actions@"));
  expect(steps).toHaveLength(1);
  return steps[0];
};
const indexOf = (steps: Step[], match: (step: Step) => boolean) => steps.findIndex(match);

describe("every workflow and local action", () => {
  it.each([...WORKFLOW_FILES, ...ACTION_FILES].map((file) => path.relative(ROOT, file)))("%s parses", (file) => {
    expect(parse(read(path.join(ROOT, file)))).toEqual(expect.any(Object));
  });

  it("pins every action it uses: a version tag, or a full commit SHA with the version in a comment", () => {
    const lines = [...WORKFLOW_FILES, ...ACTION_FILES].flatMap((file) => read(file).split("\n").filter((line) => /^\s*-?\s*uses:/.test(line)));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const uses = line.replace(/^\s*-?\s*uses:\s*/, "").trim();
      if (uses.startsWith("./")) {
        expect(existsSync(path.join(ROOT, uses, "action.yml"))).toBe(true);
        continue;
      }
      const pinned = /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}$|[0-9a-f]{40} # v\d+(\.\d+){0,2}$)/.test(uses);
      expect({ uses, pinned }).toEqual({ uses, pinned: true });
    }
  });
});

describe("ci.yml", () => {
  const ci = workflow("ci.yml");

  it("runs on every push and pull request", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push).toBeNull();
  });

  it("runs the same test script as .ci/run, on Node 20 on ubuntu-latest", () => {
    const script = /^exec (\S+)/m.exec(read(path.join(ROOT, ".ci", "run")))?.[1];
    expect(script).toBe("scripts/test.sh");
    accessSync(path.join(ROOT, script!), constants.X_OK);
    const job = onlyJob("ci.yml");
    expect(job["runs-on"]).toBe("ubuntu-latest");
    const steps = executedSteps(job);
    expect(steps.filter((step) => step.run !== undefined).map((step) => step.run!.trim())).toEqual([script]);
    expect(steps.find((step) => step.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe(20);
  });
});

describe("preview.yml", () => {
  const preview = workflow("preview.yml");
  const job = onlyJob("preview.yml");

  it("previews the dev stack on pull requests, with the policy pack, commenting once and updating it", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(pulumiStep(job).with).toMatchObject({
      command: "preview",
      "stack-name": "dev",
      "comment-on-pr": true,
      "edit-pr-comment": true,
      policyPacks: "policy",
    });
    expect(existsSync(path.join(ROOT, String(pulumiStep(job).with!.policyPacks), "PulumiPolicy.yaml"))).toBe(true);
  });

  it("may write the comment and push images, and reads nothing else", () => {
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write", packages: "write" });
  });

  it("installs dependencies, buildx and AWS credentials before Pulumi runs", () => {
    const steps = executedSteps(job);
    const pulumi = indexOf(steps, (step) => step.uses?.startsWith("pulumi/actions@") ?? false);
    for (const before of [
      (step: Step) => step.run?.trim().startsWith("npm ci") ?? false,
      (step: Step) => step.uses?.startsWith("docker/setup-buildx-action@") ?? false,
      (step: Step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false,
    ]) {
      const index = indexOf(steps, before);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(pulumi);
    }
  });
});

describe("deploy.yml", () => {
  const deploy = workflow("deploy.yml");
  const job = onlyJob("deploy.yml");

  it("updates the dev stack on pushes to main only, behind the dev environment's approval", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(job.environment).toBe("dev");
    expect(pulumiStep(job).with).toMatchObject({ command: "up", "stack-name": "dev", policyPacks: "policy" });
  });
});

describe("preview and deploy", () => {
  it("use the same state backend and stack configuration, with the ghcr token as a secret", () => {
    const [preview, deploy] = ["preview.yml", "deploy.yml"].map((file) => pulumiStep(onlyJob(file)).with!);
    expect(deploy["cloud-url"]).toBe(preview["cloud-url"]);
    expect(String(preview["cloud-url"])).toMatch(/^s3:\/\/\$\{\{ vars\.\w+ \}\}\?region=\$\{\{ vars\.AWS_REGION \}\}$/);
    expect(deploy["config-map"]).toBe(preview["config-map"]);
    expect(parse(String(preview["config-map"])).ghcrToken).toEqual({ value: "${{ secrets.GHCR_TOKEN }}", secret: true });
  });
});
