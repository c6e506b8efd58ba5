/**
 * The ci stack's life cycle, after the labs' checks: nothing drifts after
 * `up`; a one-line edit of one service rebuilds and replaces only that
 * service; `destroy` keeps the data volumes and a new `up` finds the data;
 * `refresh` sees a container removed by hand and `up` brings it back. How
 * long each `up` takes is a figure of `npm run bench deploy`, not a test; the
 * timings seen here go to test-artifacts for the record.
 */
import { CI_STACK, labsOk, ONE_LINE_EDIT, pulumiCi, up, withOneLineEdit } from "@container-labs/test-kit";
import { deployed, http, recordTiming, type Deployed } from "./deployed";

let stack: Deployed;
beforeAll(async () => {
  stack = await deployed();
});

/** The steps a preview proposes, other than leaving a resource as it is: "<op> <type>::<name>". */
async function proposedSteps(): Promise<string[]> {
  const { output } = await labsOk(stack.stack, ["pulumi", "preview", "--json", "--stack", CI_STACK, "--non-interactive"], { quiet: true });
  const preview = JSON.parse(output.slice(output.indexOf("{"))) as { steps?: { op: string; urn: string }[] };
  return (preview.steps ?? []).filter((step) => step.op !== "same").map((step) => `${step.op} ${step.urn.split("$").pop()}`).sort();
}

it("shows no change in a preview right after up: no perpetual diff from the engine's defaults", async () => {
  await pulumiCi(stack.stack, "preview", "--expect-no-changes");
});

it("changes nothing in a second up (a no-op up), and refreshes nothing", async () => {
  const { seconds, output } = await up(stack.stack, "--expect-no-changes");
  expect(output).not.toContain("stopped by hand");
  recordTiming("noOpUpSeconds", seconds);
});

describe("a one-line edit of one service's source", () => {
  // The edit is undone after the test: up again, so the tests after it find the stack as deployed.
  afterAll(async () => {
    await up(stack.stack);
  });

  it("rebuilds only that service's image and replaces only its containers", () => withOneLineEdit(async () => {
    const steps = await proposedSteps();
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step).toMatch(new RegExp(`::${ONE_LINE_EDIT.service}`));
    expect(steps).toEqual(expect.arrayContaining([
      "replace docker:index/container:Container::dockercoins-rng-1",
      "replace docker:index/container:Container::dockercoins-rng-2",
      "replace docker:index/container:Container::dockercoins-rng-3",
    ]));
    expect(steps.some((step) => step.startsWith("update docker-build:index:Image::") || step.startsWith("replace docker-build:index:Image::"))).toBe(true);

    const { seconds } = await up(stack.stack);
    recordTiming("oneServiceEditUpSeconds", seconds);
    // The new containers run the edited build (tsc keeps comments).
    expect(await stack.docker("exec", "dockercoins-rng-1", "grep", "-c", ONE_LINE_EDIT.line, "dist/main.js")).toBe("1");
  }));
});

it("starts again, at the next up, a container a student stopped by hand (the docker-basics lesson), refreshing only that one", async () => {
  await stack.docker("stop", "docker-basics-signals-exec");
  const { output } = await up(stack.stack);
  expect(output).toContain("container-labs: stopped by hand: docker-basics-signals-exec; refreshing them");
  expect(await stack.docker("inspect", "--format", "{{.State.Running}}", "docker-basics-signals-exec")).toBe("true");
});

describe("destroy and a new up", () => {
  let jobId: string;

  it("removes every container and network but keeps the data volumes the README names", async () => {
    const submitted = await http(`${stack.labs.kleeweb.urls.site}api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: "int main(void) { return 1; }" }) });
    jobId = submitted.json<{ id: string }>().id;

    const down = await labsOk(stack.stack, ["down", "--stack", CI_STACK]);
    const ours = ["--filter", "label=container-labs.managed-by=pulumi", "--format", "{{.Name}}"];
    expect(await stack.docker("ps", "--all", ...ours.slice(0, 2), "--format", "{{.Names}}")).toBe("");
    expect(await stack.docker("network", "ls", ...ours)).toBe("");
    const kept = (await stack.docker("volume", "ls", "--filter", "label=container-labs.data=true", "--format", "{{.Name}}")).split("\n").sort();
    // The ci stack's own names (<stack>.<course name>), so a local stack on this engine never finds ci's data.
    expect(kept).toEqual(["ci.dynamodb-local-data", "ci.notifications_postgres_data", "ci.postgres_data", "ci.webstack_media", "ci.webstack_postgres_data"]);

    // What down says it leaves is exactly what is left, each with the command that removes it.
    expect(down.output).toContain("Protected, still in the stack (Pulumi also counts the components above them as protected): ci.postgres_data\n");
    expect(down.output).toContain("Data volumes kept on the engine (the next up finds their data): ci.dynamodb-local-data, ci.notifications_postgres_data, ci.webstack_media, ci.webstack_postgres_data\n");
    expect(down.output).toContain("  remove: docker volume rm ci.dynamodb-local-data ci.notifications_postgres_data ci.webstack_media ci.webstack_postgres_data\n");
    const builtTags = (await stack.docker("image", "ls", "--filter", `reference=container-labs/*:${CI_STACK}`, "--format", "{{.Repository}}:{{.Tag}}")).split("\n").sort();
    expect(down.output).toContain(`Images built here: ${builtTags.length} tags`);
    expect(down.output).toContain(`  remove: docker image rm ${builtTags.join(" ")}\n`);
    expect(down.output.trimEnd().split("\n").at(-1)).toBe(`Remove it all, the data included: npm run down -- --stack ${CI_STACK} --purge`);

    // The stack's state keeps its last outputs; `npm run labs` does not send anyone to them.
    const labsAfterDown = await labsOk(stack.stack, ["labs", "--stack", CI_STACK]);
    expect(labsAfterDown.output).toContain(`The stack "${CI_STACK}" is down: nothing runs.`);
    expect(labsAfterDown.output).not.toContain("http://");
  });

  it("finds the kept data again after up", async () => {
    await up(stack.stack);
    const labs = (await deployed()).labs;
    const job = await http(`${labs.kleeweb.urls.site}api/jobs/${jobId}`);
    expect(job.status).toBe(200);
    const users = await stack.docker("exec", "webstack-db", "psql", "-U", "webstack", "-d", "webstack", "-tAc", "SELECT email FROM users");
    expect(users).toContain("michael@mherman.org");
  });
});

it("sees in refresh a container removed by hand, and up brings it back", async () => {
  await stack.docker("rm", "--force", "docker-basics-tcp-server");
  const refreshed = await pulumiCi(stack.stack, "refresh", "--yes", "--skip-preview");
  expect(refreshed.output).toMatch(/docker:index:Container docker-basics-tcp-server (refresh|deleted)/);
  expect(await proposedSteps()).toEqual(expect.arrayContaining(["create docker:index/container:Container::docker-basics-tcp-server"]));
  await up(stack.stack);
  expect(await stack.docker("inspect", "--format", "{{.State.Running}}", "docker-basics-tcp-server")).toBe("true");
});
