/**
 * Every line the deployed stack prints to try (`npm run labs`), run as a user
 * pastes it: through sh, in the checkout, with this machine's curl, nc and
 * docker, each expecting the answer its comment or the README documents. The
 * README's own lines for each lab are the same lines on the `local` stack,
 * and its table of labs points at what the stack serves. Swagger UI's "Try it
 * out" is run as the request it sends. Before the life cycle (20-), on the
 * stack as deployed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ciDataDir, CI_STACK, labsOk, labsOutput, REPO_ROOT, up } from "@container-labs/test-kit";
import { EXAMPLE_TIMESTAMP } from "../../packages/notification-cipher/src/example";
import { readmeCommandLines } from "../support/commandLines";
import { deployed, eventually, http, kleeJob, runPrinted, type Deployed, type Printed } from "./deployed";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

let stack: Deployed;
beforeAll(async () => {
  stack = await deployed();
});

/** The lines each check ran, to find a printed line that none ran. */
const covered = new Set<string>();

/** The one line of `lab`'s Try lines that contains `fragment`. */
function printedLine(lab: string, fragment: string): string {
  const lines = stack.labs[lab].tryIt.filter((line) => line.includes(fragment));
  expect([lab, fragment, lines.length]).toEqual([lab, fragment, 1]);
  covered.add(lines[0]);
  return lines[0];
}

/** Runs the printed line and expects it to end well. */
async function ran(line: string): Promise<Printed> {
  const printed = await runPrinted(stack.stack, line);
  expect({ line, exitCode: printed.exitCode, stderr: printed.stderr }).toEqual({ line, exitCode: 0, stderr: expect.any(String) });
  return printed;
}

/** A line as the README prints it for the `local` stack: the ci stack names itself and keeps its files elsewhere. */
function asLocalStack(line: string): string {
  return line
    .replace(/\s{2,}#.*$/, "")
    .replaceAll(` -- --stack ${CI_STACK}`, "")
    .replaceAll(` --stack ${CI_STACK}`, "")
    .replaceAll(ciDataDir(), "~/.container-labs/local");
}

/** The text of the README's `### <lab>` section. */
function readmeSection(lab: string): string {
  return README.split(new RegExp(`^### ${lab}$`, "m"))[1].split(/^##+ /m)[0];
}

/**
 * The lines the README's section of `lab` gives to try on the lab: its shell
 * blocks and its inline commands, but not the npm commands that change the
 * stack (the scale line has its own test) nor, in kleeweb's, the seed's
 * debugging workflow (commands to use, not lines to try).
 */
function readmeTryLines(lab: string): string[] {
  const section = readmeSection(lab).split("debugging workflow")[0];
  return readmeCommandLines(section).map((entry) => entry.line).filter((line) => !/^(npm|scripts\/)/.test(line));
}

describe("docker-basics", () => {
  // Started again: the stack's containers must keep running for the life cycle after this file.
  afterAll(async () => {
    await stack.docker("start", "docker-basics-signals-exec", "docker-basics-signals-shell");
  });

  it("stops the exec-form demo with SIGTERM, which node as PID 1 handles (exit 0)", async () => {
    const { stdout } = await ran(printedLine("docker-basics", "docker stop docker-basics-signals-exec"));
    expect(stdout.trim()).toBe("docker-basics-signals-exec");
    expect(await stack.docker("inspect", "--format", "{{.State.ExitCode}}", "docker-basics-signals-exec")).toBe("0");
  });

  it("stops the shell-form demo only with the SIGKILL after the grace period (exit 137)", async () => {
    const { stdout } = await ran(printedLine("docker-basics", "docker stop docker-basics-signals-shell"));
    expect(stdout.trim()).toBe("docker-basics-signals-shell");
    expect(await stack.docker("inspect", "--format", "{{.State.ExitCode}}", "docker-basics-signals-shell")).toBe("137");
  });

  it("shows the line the short-lived container appended through the bind mount", async () => {
    const { stdout } = await ran(printedLine("docker-basics", "cat "));
    expect(stdout).toContain("appended by the short-lived bind-append container");
  });

  it("gets the TCP server's greeting with nc, and nc ends by itself", async () => {
    const serverHost = await stack.docker("inspect", "--format", "{{.Config.Hostname}}", "docker-basics-tcp-server");
    const { stdout } = await ran(printedLine("docker-basics", "| nc "));
    expect(stdout.trim()).toBe(`hello from ${serverHost}, you said: hi`);
  });
});

/** The age in seconds of the assignment's 2023 ciphertext, as the service answers it now (a minute's leeway). */
function expectAgeOfExample(answer: string): void {
  expect(Math.abs(Number(answer) - (Date.now() / 1000 - EXAMPLE_TIMESTAMP))).toBeLessThan(60);
}

describe("notifications", () => {
  it("answers the assignment's request, posted by the curl line, with its age in seconds", async () => {
    const printed = await ran(printedLine("notifications", "curl -s -X POST"));
    expect(printed.httpStatuses).toEqual([200]);
    expectAgeOfExample(printed.stdout);
  });

  it("appends one more latency line when the probe is run by hand, counted in the course's metric under the empty group", async () => {
    const file = (stack.labs.notifications.details as { latencyFile: string }).latencyFile;
    const lines = () => readFileSync(file, "utf8").split("\n").filter(Boolean);
    const before = lines().length;
    await ran(printedLine("notifications", "one more probe run"));
    expect(lines()).toHaveLength(before + 1);
    // The lab's promise: under 1 s a run (milliseconds between containers, far over 3x).
    expect(Number(lines().at(-1))).toBeLessThan(1);
    // Counted in the course's metric under the empty group: the by-hand probe sends no token.
    const metrics = await http(stack.labs.notifications.urls.metrics);
    const ok = metrics.text.match(/^notifications_service_response_count_total\{group="",response_type="Ok"\} (\d+)$/m);
    expect(Number(ok?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics.text.trimEnd().endsWith("# EOF")).toBe(true);
  });

  it("serves Swagger UI at the README's address, whose Try it out (the request Swagger UI sends) answers 200", async () => {
    const apiDocs = stack.labs.notifications.urls.apiDocs;
    expect(readmeSection("notifications")).toContain(`Swagger UI at \`${apiDocs}\``);
    const page = await ran(`curl -s ${apiDocs}`);
    expect(page.httpStatuses).toEqual([200]);
    expect(page.stdout).toContain("swagger-ui");
    const document = (await http(`${apiDocs}json`)).json<{ servers: { url: string }[]; paths: Record<string, { post: { requestBody: { content: Record<string, { example: unknown }> } } }> }>();
    // As Swagger UI takes it: resolved against the document's own address, less a trailing "/" (swagger-client's OpenAPI 3 base URL).
    const server = new URL(document.servers[0].url, `${apiDocs}json`).href.replace(/\/$/, "");
    expect(`${server}/api/notify`).toBe(stack.labs.notifications.urls.notify);
    const example = document.paths["/api/notify"].post.requestBody.content["application/json"].example;
    // Swagger UI's own curl line for "Try it out": the example pretty-printed, the first response type accepted.
    const tryItOut = await ran(`curl -X 'POST' '${server}/api/notify' -H 'accept: text/plain' -H 'Content-Type: application/json' -d '${JSON.stringify(example, null, 2)}'`);
    expect(tryItOut.httpStatuses).toEqual([200]);
    expectAgeOfExample(tryItOut.stdout);
  });
});

describe("cmpt756", () => {
  const lines = () => stack.labs.cmpt756.tryIt;

  it("prints the README's lines", () => {
    const block = /```sh\n([\s\S]*?)```/.exec(readmeSection("cmpt756"))![1].trimEnd().split("\n");
    expect(lines().map(asLocalStack)).toEqual(block);
  });

  it("creates a user, logs in, creates a song with the token and reads both back, in one shell", async () => {
    lines().forEach((line) => covered.add(line));
    const printed = await ran(lines().join("\n"));
    expect(printed.httpStatuses).toEqual([200, 200, 200, 200, 200]);
    const [userId, token, musicId, music, user] = printed.stdout.trimEnd().split("\n");
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(token.split(".")).toHaveLength(3);
    expect(musicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(music)).toMatchObject({ Count: 1, Items: [{ music_id: musicId, Artist: "Nina Simone", SongTitle: "Feeling Good" }] });
    expect(JSON.parse(user)).toMatchObject({ Count: 1, Items: [{ user_id: userId, fname: "Ada", lname: "Lovelace", email: "ada@example.org" }] });
  });
});

describe("webstack", () => {
  it("answers the app's hello through nginx", async () => {
    const printed = await ran(printedLine("webstack", `curl -s ${stack.labs.webstack.urls.site};`));
    expect(printed.httpStatuses).toEqual([200]);
    expect(JSON.parse(printed.stdout)).toEqual({ hello: "world" });
  });

  it("uploads the checkout's README and serves it back at the URL it answers", async () => {
    const printed = await ran(printedLine("webstack", "-F file=@"));
    expect(printed.httpStatuses).toEqual([201]);
    const { url } = JSON.parse(printed.stdout) as { url: string };
    const served = await http(new URL(url, stack.labs.webstack.urls.site).href);
    expect([served.status, served.text]).toEqual([200, README]);
  });

  it("serves the upload form the README's table names", async () => {
    const form = await ran(`curl -s ${stack.labs.webstack.urls.upload}`);
    expect(form.httpStatuses).toEqual([200]);
    expect(form.stdout).toMatch(/<form[^>]*enctype="multipart\/form-data"/);
  });
});

describe("dockercoins", () => {
  it("answers the hashes mined so far", async () => {
    const printed = await ran(printedLine("dockercoins", "json; echo"));
    expect(printed.httpStatuses).toEqual([200]);
    expect(JSON.parse(printed.stdout).hashes).toBeGreaterThan(0);
  });

  it("prints the README's scale line, which 14-dockercoins runs as printed (it costs an up there already)", () => {
    const line = printedLine("dockercoins", "dockercoinsWorkers 4");
    expect(readmeCommandLines(readmeSection("dockercoins")).map((entry) => entry.line)).toContain(asLocalStack(line));
  });

  it("serves random bytes on rng's port", async () => {
    const printed = await ran(printedLine("dockercoins", "| od -An -tx1 | head -2"));
    expect(printed.httpStatuses).toEqual([200]);
    // 32 bytes in two rows of 16, as od prints them.
    expect(printed.stdout.trim().split(/\s+/)).toHaveLength(32);
  });
});

describe("kleeweb", () => {
  it("takes a job from the curl line and runs it to success", async () => {
    const printed = await ran(printedLine("kleeweb", "api/jobs"));
    expect(printed.httpStatuses).toEqual([201]);
    const { id } = JSON.parse(printed.stdout) as { id: string };
    const finished = await eventually(`job ${id} finished`, async () => {
      const { status } = await kleeJob(stack.labs.kleeweb.urls.site, id);
      return ["succeeded", "failed"].includes(status) ? status : undefined;
    }, 180_000);
    expect(finished).toBe("succeeded");
  });

  it("follows a worker's JSON log lines with docker logs -f (stopped once the worker's start is seen)", async () => {
    const printed = await runPrinted(stack.stack, printedLine("kleeweb", "docker logs -f"), { until: /"msg":"worker taking jobs"/ });
    expect(printed.stdout + printed.stderr).toMatch(/^\{.*"msg":"worker taking jobs".*\}$/m);
  });
});

describe("the README's table of labs", () => {
  /** The URLs of the table's "where to go" cell of `lab`, on this machine. */
  const tableUrls = (lab: string): string[] => {
    const row = README.split("\n").find((line) => line.startsWith(`| \`${lab}\` |`))!;
    return [...row.split("|")[3].matchAll(/`(http:\/\/<host>[^`]*)`/g)].map((match) => match[1].replace("<host>", "localhost"));
  };

  it.each(["notifications", "cmpt756", "webstack", "dockercoins", "kleeweb"])("points %s at URLs the stack serves", (lab) => {
    const served = [...Object.values(stack.labs[lab].urls)].map((url) => url.replace(/:80\//, "/"));
    expect(tableUrls(lab).length).toBeGreaterThan(0);
    for (const url of tableUrls(lab)) expect(served).toContain(url);
  });

  it("points docker-basics at the TCP server's port", () => {
    expect(README).toContain(`| \`docker-basics\` | exec vs shell form and SIGTERM, named volumes and bind mounts, user-defined networks | TCP server on \`${new URL(stack.labs["docker-basics"].urls.tcpServer).port}\` |`);
  });
});

it("ran every line the stack prints to try, and the README's lines of each lab are among them", () => {
  const printed = Object.values(stack.labs).flatMap((lab) => lab.tryIt);
  expect(printed.filter((line) => !covered.has(line))).toEqual([]);
  for (const lab of Object.keys(stack.labs)) {
    const asPrinted = stack.labs[lab].tryIt.map(asLocalStack);
    expect([lab, readmeTryLines(lab).filter((line) => !asPrinted.includes(line))]).toEqual([lab, []]);
  }
  // The README's docker-basics lines are there: the check above compares something.
  expect(readmeTryLines("docker-basics")).toHaveLength(4);
});

/**
 * A user's own notificationsSecretKey: the stack prints it nowhere, and its
 * two keyed lines, run as printed in the checkout, take it from the stack's
 * config. One `up` with the key set, one to take it away again (the files
 * after this one use the course's key), as 14-dockercoins does for its scale.
 */
describe("notifications with a notificationsSecretKey of the user's own", () => {
  // 32 bytes, as the service's AES-256 key must be.
  const OWN_KEY = "own-key-of-the-try-lines-test-32";
  let labs: Deployed["labs"];
  beforeAll(async () => {
    await labsOk(stack.stack, ["pulumi", "config", "set", "--secret", "notificationsSecretKey", "--stack", CI_STACK], { input: OWN_KEY });
    await up(stack.stack);
    labs = await labsOutput(stack.stack);
  });

  afterAll(async () => {
    await labsOk(stack.stack, ["pulumi", "config", "rm", "notificationsSecretKey", "--stack", CI_STACK]);
    await up(stack.stack);
  });

  const keyedLine = (fragment: string): string => {
    const lines = labs.notifications.tryIt.filter((line) => line.includes(fragment));
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it("shows the key in no output", () => {
    expect(JSON.stringify(labs)).not.toContain(OWN_KEY);
  });

  it("answers the assignment's request sealed with that key, posted by the curl line as printed, with its age", async () => {
    const printed = await ran(keyedLine("curl -s -X POST"));
    expect(printed.httpStatuses).toEqual([200]);
    expectAgeOfExample(printed.stdout);
  });

  it("appends one more latency line when the probe line, as printed, runs with that key", async () => {
    const file = (labs.notifications.details as { latencyFile: string }).latencyFile;
    const lines = () => readFileSync(file, "utf8").split("\n").filter(Boolean);
    const before = lines().length;
    await ran(keyedLine("one more probe run"));
    expect(lines()).toHaveLength(before + 1);
  });
});
