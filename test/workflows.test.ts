/**
 * The GitHub Actions workflows, checked statically: they parse, pass
 * actionlint and zizmor, pin every action by commit, hold least privilege,
 * and run what the repository says they run. The pull-request preview gets
 * nothing that reaches the dev stack.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "./support/stackConfig";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on"?: string;
  environment?: string | { name: string };
  if?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
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

  it("pins every action it uses by full commit SHA, with the version in a comment", () => {
    const lines = [...WORKFLOW_FILES, ...ACTION_FILES].flatMap((file) => read(file).split("\n").filter((line) => /^\s*-?\s*uses:/.test(line)));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const uses = line.replace(/^\s*-?\s*uses:\s*/, "").trim();
      if (uses.startsWith("./")) {
        expect(existsSync(path.join(ROOT, uses, "action.yml"))).toBe(true);
        continue;
      }
      const pinned = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(uses);
      expect({ uses, pinned }).toEqual({ uses, pinned: true });
    }
  });

  it("grants no permission by default: each job asks for its own", () => {
    for (const file of WORKFLOW_FILES) {
      const parsed = parse(read(file)) as Workflow;
      expect({ file: path.basename(file), permissions: parsed.permissions }).toEqual({ file: path.basename(file), permissions: {} });
      for (const [name, job] of Object.entries(parsed.jobs)) expect({ job: name, permissions: job.permissions }).toEqual({ job: name, permissions: expect.any(Object) });
    }
  });

  it("checks out without leaving the token in the workspace (persist-credentials: false)", () => {
    const checkouts = WORKFLOW_FILES.flatMap((file) => Object.values((parse(read(file)) as Workflow).jobs).flatMap((job) => job.steps ?? []))
      .filter((step) => step.uses?.startsWith("actions/checkout@"));
    expect(checkouts).toHaveLength(WORKFLOW_FILES.length);
    for (const checkout of checkouts) expect(checkout.with?.["persist-credentials"]).toBe(false);
  });

  it("uses no long-lived AWS keys: AWS credentials come from a role assumed with the job's OIDC token", () => {
    const everything = [...WORKFLOW_FILES, ...ACTION_FILES].map(read).join("\n");
    expect(everything).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    for (const file of ["preview.yml", "deploy.yml"]) {
      const job = onlyJob(file);
      const [credentials] = executedSteps(job).filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(credentials.with).toMatchObject({ "role-to-assume": expect.stringMatching(/^\$\{\{ inputs\.aws-role-arn \}\}$/) });
      expect(job.permissions?.["id-token"]).toBe("write");
    }
  });

  it("names every repository secret and variable it uses in .github/SECRETS.md, and SECRETS.md names no other", () => {
    const used = new Set([...WORKFLOW_FILES, ...ACTION_FILES].flatMap((file) => [...read(file).matchAll(/\$\{\{\s*(?:secrets|vars)\.(\w+)\s*\}\}/g)].map((match) => match[1])));
    const documented = new Set([...read(path.join(GITHUB, "SECRETS.md")).matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    expect([...used].sort()).toEqual([...documented].sort());
  });
});

describe("the workflow linters (scripts/lint-workflows.sh: actionlint and zizmor)", () => {
  const LINT = path.join(ROOT, "scripts", "lint-workflows.sh");
  // The first run installs both linters into the cache (go install, pip): minutes, once.
  const INSTALL_TIMEOUT = 15 * 60_000;
  const lint = (directory?: string) => {
    const result = spawnSync(LINT, directory ? [directory] : [], { encoding: "utf8", timeout: INSTALL_TIMEOUT });
    if (result.error) throw result.error;
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it("find nothing in .github/ beyond the findings .github/zizmor.yml accepts with a reason", () => {
    const result = lint();
    expect(result).toEqual({ status: 0, output: expect.stringContaining("lint-workflows: no findings") });
  }, INSTALL_TIMEOUT);

  it("fail on a workflow that leaves its token in the workspace and feeds an unquoted variable to the shell", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "lint-workflows-"));
    try {
      cpSync(GITHUB, path.join(copy, ".github"), { recursive: true });
      const ci = path.join(copy, ".github", "workflows", "ci.yml");
      writeFileSync(ci, read(ci).replace(/\n\s+with:\n\s+persist-credentials: false/, "").replace("- run: scripts/test.sh", "- run: echo $GITHUB_SHA"));
      const result = lint(copy);
      expect(result.status).toBe(1);
      expect(result.output).toContain("artipacked"); // zizmor
      expect(result.output).toContain("SC2086"); // actionlint, through shellcheck
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, INSTALL_TIMEOUT);
});

describe("ci.yml", () => {
  const ci = workflow("ci.yml");

  it("runs on every push and pull request", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push).toBeNull();
  });

  it("runs the same test script as .ci/run, on ubuntu-latest with the Node of .node-version", () => {
    const script = /^exec (\S+)/m.exec(read(path.join(ROOT, ".ci", "run")))?.[1];
    expect(script).toBe("scripts/test.sh");
    accessSync(path.join(ROOT, script!), constants.X_OK);
    const job = onlyJob("ci.yml");
    expect(job["runs-on"]).toBe("ubuntu-latest");
    const steps = executedSteps(job);
    expect(steps.filter((step) => step.run !== undefined).map((step) => step.run!.trim())).toEqual([script]);
    expect(steps.find((step) => step.uses?.startsWith("actions/setup-node@"))?.with).toMatchObject({ "node-version-file": ".node-version" });
  });
});

describe("preview.yml", () => {
  const preview = workflow("preview.yml");
  const job = onlyJob("preview.yml");

  it("previews the dev configuration on pull requests from this repository, with the policy pack, commenting once and updating it", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(pulumiStep(job).with).toMatchObject({
      command: "preview",
      "stack-name": "dev",
      "comment-on-pr": true,
      "edit-pr-comment": true,
      policyPacks: "policy",
    });
    expect(existsSync(path.join(ROOT, String(pulumiStep(job).with!.policyPacks), "PulumiPolicy.yaml"))).toBe(true);
  });

  it("may read the code, write its comment and get an OIDC token, nothing else (no packages, no deployments)", () => {
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
  });

  it("gets no secret at all: the branch's code runs in this job", () => {
    expect(read(path.join(GITHUB, "workflows", "preview.yml"))).not.toMatch(/secrets\./);
  });

  it("assumes the read-only preview role, never the deploy role", () => {
    const prepare = (job.steps ?? []).find((step) => step.uses === "./.github/actions/prepare");
    expect(prepare?.with).toEqual({ "aws-role-arn": "${{ vars.AWS_PREVIEW_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}" });
  });

  it("previews a throwaway stack in an empty local state directory: never the dev stack's state, which holds its keys", () => {
    const pulumi = pulumiStep(job).with!;
    expect(pulumi["cloud-url"]).toBe("file://${{ runner.temp }}/pulumi-preview-state");
    expect(pulumi).toMatchObject({ upsert: true, "secrets-provider": "passphrase" });
    const made = (job.steps ?? []).findIndex((step) => step.run?.includes('mkdir -p "$RUNNER_TEMP/pulumi-preview-state"'));
    expect(made).toBeGreaterThanOrEqual(0);
    expect(made).toBeLessThan((job.steps ?? []).findIndex((step) => step.uses?.startsWith("pulumi/actions@")));
    // The throwaway stack's passphrase guards nothing (no real secret is in it), so it is no secret either.
    expect(job.env?.PULUMI_CONFIG_PASSPHRASE).toBe("preview-stack-holds-no-secrets");
    expect(parse(String(pulumi["config-map"])).registryToken).toEqual({ value: "preview-pushes-nothing", secret: true });
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

  it("may read the code and get an OIDC token (for the deploy role, which trusts only jobs in the dev environment), nothing else", () => {
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    const prepare = (job.steps ?? []).find((step) => step.uses === "./.github/actions/prepare");
    expect(prepare?.with).toEqual({ "aws-role-arn": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}" });
  });

  it("uses the dev stack's S3 state and passphrase, and passes both ghcr.io tokens as secrets", () => {
    const pulumi = pulumiStep(job);
    expect(pulumi.with!["cloud-url"]).toBe("s3://${{ vars.PULUMI_STATE_BUCKET }}?region=${{ vars.AWS_REGION }}");
    expect(pulumi.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" });
    const config = parse(String(pulumi.with!["config-map"]));
    expect(config.registryToken).toEqual({ value: "${{ secrets.GHCR_TOKEN }}", secret: true });
    expect(config.registryPullToken).toEqual({ value: "${{ secrets.GHCR_PULL_TOKEN }}", secret: true });
  });
});

describe("preview and deploy", () => {
  it("set the same deployment-specific configuration, except the registry tokens the preview does not get", () => {
    const [preview, deploy] = ["preview.yml", "deploy.yml"].map((file) => parse(String(pulumiStep(onlyJob(file)).with!["config-map"])) as Record<string, unknown>);
    const { registryToken: _previewToken, ...previewRest } = preview;
    const { registryToken: _deployToken, registryPullToken: _pullToken, ...deployRest } = deploy;
    expect(previewRest).toEqual(deployRest);
  });
});
