/**
 * The policy pack (policy/) as the Pulumi CLI runs it, `pulumi preview
 * --policy-pack policy` through `npm run pulumi`: on the deployed ci stack,
 * after the labs' checks and before the life cycle changes it, it reports no
 * violation; and a stack that breaks one of its rules is refused, the preview
 * failing and naming the rule. That stack is a project of its own
 * (test/deploy/policy-refusal), previewed only and then removed: the ci stack
 * is never touched.
 *
 * The CLI installs nothing for a local pack: what it runs comes from the root
 * node_modules that `npm ci` filled (packages/test-kit/src/policy.ts says how).
 */
import { join } from "node:path";
import { CI_STACK, labs, labsOk, NOT_JUDGED, policyPreview, prepareCiStack, type CiStack } from "@container-labs/test-kit";
import { expectNoViolation, recordTiming } from "./deployed";

let stack: CiStack;
beforeAll(async () => {
  stack = await prepareCiStack();
});

it("reports no violation on the ci stack, every rule judged on the deployed values", async () => {
  const preview = await policyPreview(stack, CI_STACK);
  expectNoViolation(preview);
  recordTiming("policyPreviewSeconds", preview.seconds);
});

describe("a container of the program's Service component published on 0.0.0.0 (test/deploy/policy-refusal)", () => {
  const project = join(__dirname, "policy-refusal");
  const name = "policy-refusal";
  const pulumi = (...args: string[]) => labsOk(stack, ["pulumi", ...args, "--cwd", project, "--stack", name, "--non-interactive"], { quiet: true });
  const setExposure = (reason: string) => pulumi("config", "set", "exposure", reason);

  beforeAll(async () => {
    // What an interrupted run left, if anything.
    await labs(stack, ["pulumi", "stack", "rm", "--yes", "--force", "--cwd", project, "--stack", name, "--non-interactive"], { quiet: true });
    await labsOk(stack, ["pulumi", "stack", "init", name, "--cwd", project, "--non-interactive"], { quiet: true });
    // The ci stack's engine and redis stand-in, and the setting that opens the port to every network.
    await pulumi("config", "set", "dockerHost", stack.engine.dockerHost);
    await pulumi("config", "set", "image", stack.standins.redis);
    await pulumi("config", "set", "publishAddress", "0.0.0.0");
  });
  afterAll(async () => {
    await labsOk(stack, ["pulumi", "stack", "rm", "--yes", "--force", "--cwd", project, "--stack", name, "--non-interactive"], { quiet: true });
  });

  /** The violations other than the notes on rules that could not run before the container exists. */
  const judged = (violations: Awaited<ReturnType<typeof policyPreview>>["violations"]) =>
    violations.filter((violation) => !NOT_JUDGED.test(violation.message)).map(({ level, policy, resource }) => ({ level, policy, resource }));

  it("is refused without the label that says why: the preview fails, naming the rule and the container", async () => {
    await setExposure("");
    const preview = await policyPreview(stack, name, { cwd: project });
    expect(preview.pack).toBe("container-labs@v0.1.0");
    expect(judged(preview.violations)).toEqual([
      { level: "mandatory", policy: "host-ports-on-loopback-unless-explained", resource: "docker:index:Container: refusal-cache" },
    ]);
    expect(preview.violations.find((violation) => violation.level === "mandatory")?.message).toContain(
      "publishes 0.0.0.0:16379 beyond loopback without the label container-labs.exposure=<reason>",
    );
    expect(preview.status).not.toBe(0);
    expect(preview.output).toContain("error: preview failed");
  });

  it("passes with the label the program sets for localPublishAddress 0.0.0.0 (container-labs.exposure=lan)", async () => {
    await setExposure("lan");
    const preview = await policyPreview(stack, name, { cwd: project });
    expect(preview.pack).toBe("container-labs@v0.1.0");
    expect(judged(preview.violations)).toEqual([]);
    expect({ status: preview.status, tail: preview.output.slice(-3000) }).toEqual({ status: 0, tail: expect.any(String) });
  });
});
