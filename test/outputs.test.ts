/** `pulumi stack output labs`: for every enabled lab, where to go and what to try. */
import { LAB_NAMES } from "../config";
import { resolve, runStack } from "./support/mocks";
import { program } from "./labs/helpers";

describe.each([
  ["local", "localhost"],
  ["dev", "203.0.113.10"],
])("the labs output of the %s stack", (stack, host) => {
  it("lists every enabled lab with its URLs on the host, commands to try, and the latencies", async () => {
    const run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" } });
    const labs = await resolve(run.outputs.labs as never) as Record<string, { urls: Record<string, string>; tryIt: string[]; details?: Record<string, unknown> }>;
    expect(Object.keys(labs)).toEqual(LAB_NAMES);
    for (const [lab, summary] of Object.entries(labs)) {
      expect([lab, Object.keys(summary.urls).length > 0]).toEqual([lab, true]);
      for (const url of Object.values(summary.urls)) expect(new URL(url).hostname).toBe(host);
      expect(summary.tryIt.length).toBeGreaterThan(0);
      // Each line points at this lab on this stack: its host, its containers or network, its files, or its config keys.
      const thisLab = new RegExp(`${host.replace(/\./g, "\\.")}|\\bdocker \\w+ .*\\b${lab}\\b|/${lab}/|config set ${lab}`);
      for (const line of summary.tryIt) expect([lab, line]).toEqual([lab, expect.stringMatching(thisLab)]);
    }
    expect(labs.dockercoins.urls.webui).toBe(`http://${host}:8000/`);
    expect(labs.notifications.details).toEqual({
      latencies: [0.0021, 0.0018, 0.0019],
      latencyFile: expect.stringMatching(/\/notifications\/latencies\.txt$/),
    });
    expect(labs.cmpt756.tryIt[0]).toContain(`curl -s -X POST http://${host}:30000/api/v1/user/`);
  });

  it("lists only the labs that are enabled", async () => {
    const run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" }, set: { labs: ["webstack"] } });
    expect(Object.keys(run.outputs.labs)).toEqual(["webstack"]);
  });
});
