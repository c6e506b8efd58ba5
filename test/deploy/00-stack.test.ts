/**
 * The ci stack right after `npm run up`: every container the program made is
 * running (or, a one-shot step, exited 0) and every one with a healthcheck
 * reports healthy with the environment the program gave it; every HTTP URL
 * in the `labs` output answers; and a preview finds nothing to change.
 */
import { pulumiCi } from "@container-labs/test-kit";
import { deployed, eventually, http, type Deployed } from "./deployed";

let stack: Deployed;
beforeAll(async () => {
  stack = await deployed();
});

interface State {
  name: string;
  status: string;
  exitCode: number;
  health: string;
  oneShot: boolean;
}

async function containers(): Promise<State[]> {
  const ids = (await stack.docker("ps", "--all", "--quiet", "--filter", "label=container-labs.managed-by=pulumi")).split("\n").filter(Boolean);
  const format = "{{.Name}}\t{{.State.Status}}\t{{.State.ExitCode}}\t{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}\t{{.HostConfig.RestartPolicy.Name}}";
  return (await stack.docker("inspect", "--format", format, ...ids)).split("\n").map((line) => {
    const [name, status, exitCode, health, restart] = line.split("\t");
    return { name: name.replace(/^\//, ""), status, exitCode: Number(exitCode), health, oneShot: restart === "no" };
  });
}

it("runs every service container, healthy where it has a healthcheck, and ran every one-shot step to exit 0", async () => {
  const states = await eventually("every healthcheck passing", async () => {
    const all = await containers();
    return all.every((c) => c.oneShot || c.health !== "starting") ? all : undefined;
  }, 120_000);
  expect(states.length).toBeGreaterThan(30);
  for (const c of states) {
    if (c.oneShot) expect([c.name, c.status, c.exitCode]).toEqual([c.name, "exited", 0]);
    else expect([c.name, c.status, c.health === "none" || c.health === "healthy"]).toEqual([c.name, "running", true]);
  }
  // Every Node service, the databases and both nginx: 20 with the ci stack's replicas.
  expect(states.filter((c) => c.health === "healthy").length).toBeGreaterThanOrEqual(20);
});

it("answers on every HTTP URL of the labs output", async () => {
  const urls = Object.values(stack.labs).flatMap((lab) => Object.values(lab.urls)).filter((url) => url.startsWith("http"));
  expect(urls.length).toBeGreaterThanOrEqual(10);
  for (const url of urls) {
    const { status } = await http(url);
    // 401: the music API wants a token; 405: a collection URL that takes POST only; neither is a failure to answer.
    expect([url, [200, 401, 405].includes(status)]).toEqual([url, true]);
  }
});

it("shows no change in a preview right after the first up: every new container reads back as the program made it", async () => {
  await pulumiCi(stack.stack, "preview", "--expect-no-changes");
});
