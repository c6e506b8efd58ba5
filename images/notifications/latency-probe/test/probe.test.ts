/**
 * The built probe as a short-lived process against the built
 * notifications-service on 127.0.0.1, as the assessment runs it.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { Client } from "pg";
import { EXAMPLE_SECRET_KEY, EXAMPLE_TIMESTAMP } from "@container-labs/notification-cipher";
import { freePort, run, startPostgres, startService, type Exit, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { TOKEN_TTL_SECONDS, readConfig } from "../src/config";

const probeScript = join(__dirname, "..", "dist", "main.js");
const serviceScript = join(__dirname, "..", "..", "notifications-service", "dist", "main.js");

let service: ServiceProcess;
let dir: string;

interface ProbeRun {
  exit: Exit;
  output: string;
  logs: Array<Record<string, unknown>>;
}

async function probe(env: Record<string, string>): Promise<ProbeRun> {
  const proc = run("latency-probe", process.execPath, {
    args: [probeScript],
    env: { NOTIFICATIONS_URL: service.url("/api/notify"), OUTPUT_FILE: join(dir, "latencies.txt"), ...env },
  });
  const exit = await proc.exited;
  return { exit, output: proc.output(), logs: proc.logLines() };
}

const lines = (file = join(dir, "latencies.txt")): string[] =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : [];

beforeAll(async () => {
  service = await startService("notifications-service", { script: serviceScript, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
});
afterAll(async () => {
  await service?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "probe-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the latency probe", () => {
  it("run three times, leaves three latency lines, each the answer it printed (the assessment)", async () => {
    const printed: string[] = [];
    const before = Date.now() / 1000;
    for (let i = 0; i < 3; i++) {
      const { exit, logs } = await probe({});
      expect(exit).toEqual({ code: 0, signal: null });
      const answer = logs.find((l) => l.msg === `latency ${l.response} s`);
      expect(answer).toMatchObject({ service: "latency-probe", status: 200, body: "example" });
      printed.push(String(answer?.response));
    }
    expect(lines()).toEqual(printed);
    // The example's "latency" is the age of its 2023 ciphertext, as the service saw it during the runs:
    // bracketed by the clock before and after them, not by a guess at how long three runs take.
    const after = Date.now() / 1000;
    for (const line of lines()) {
      expect(Number(line)).toBeGreaterThanOrEqual(before - EXAMPLE_TIMESTAMP - 0.01);
      expect(Number(line)).toBeLessThanOrEqual(after - EXAMPLE_TIMESTAMP + 0.01);
    }
  });

  it("with the shared key, encrypts a fresh body and records the request's real latency", async () => {
    const { exit } = await probe({ SECRET_KEY: EXAMPLE_SECRET_KEY });
    expect(exit.code).toBe(0);
    const [line] = lines();
    expect(line).toMatch(/^\d+\.\d+$/);
    expect(Number(line)).toBeGreaterThan(0);
    // Milliseconds on loopback, so under 1 s keeps far over 3x; the example's timestamp would read as years.
    expect(Number(line)).toBeLessThan(1);
  });

  it("creates the output file's folder, and never interleaves lines when runs overlap", async () => {
    const file = join(dir, "nested", "deeper", "latencies.txt");
    const runs = await Promise.all(Array.from({ length: 8 }, () => probe({ OUTPUT_FILE: file, SECRET_KEY: EXAMPLE_SECRET_KEY })));
    expect(runs.map((r) => r.exit.code)).toEqual(Array(8).fill(0));
    expect(lines(file)).toHaveLength(8);
    for (const line of lines(file)) expect(line).toMatch(/^\d+\.\d+$/);
  });

  it("waits for a service that starts after it, as a probe started with the stack must", async () => {
    const port = await freePort();
    const pending = probe({ NOTIFICATIONS_URL: `http://127.0.0.1:${port}/api/notify`, PROBE_ATTEMPTS: "40" });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const late = await startService("late-service", { script: serviceScript, args: ["--secret-key", EXAMPLE_SECRET_KEY], env: { PORT: String(port) } });
    try {
      const { exit, logs } = await pending;
      expect(exit.code).toBe(0);
      expect(logs.filter((l) => l.msg === "notifications-service not reachable yet").length).toBeGreaterThan(0);
      expect(lines()).toHaveLength(1);
    } finally {
      await late.stop();
    }
  });
});

describe("when the probe cannot record a latency it exits 1, says why, and writes nothing", () => {
  it("the service refuses the notification (fresh body under another key): its status and text are logged", async () => {
    const { exit, logs } = await probe({ SECRET_KEY: "C".repeat(32) });
    expect(exit.code).toBe(1);
    expect(logs.at(-1)).toMatchObject({
      level: "error",
      msg: `${service.url("/api/notify")} answered 400: Cipher text not encrypted with provided nonce and server key`,
    });
    // An HTTP answer is final: no second try.
    expect(logs.filter((l) => l.msg === "notifications-service not reachable yet")).toEqual([]);
    expect(lines()).toEqual([]);
  });

  it("nothing listens at NOTIFICATIONS_URL: it gives up after PROBE_ATTEMPTS", async () => {
    const port = await freePort();
    const started = Date.now();
    const { exit, logs } = await probe({ NOTIFICATIONS_URL: `http://127.0.0.1:${port}/api/notify`, PROBE_ATTEMPTS: "2" });
    expect(exit.code).toBe(1);
    // It gives up rather than hangs: one 0.5 s pause between its two attempts, plus a Node start of
    // about a second on a busy machine; 5 s keeps over 3x (the attempts are counted below).
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logs.filter((l) => l.msg === "notifications-service not reachable yet")).toHaveLength(2);
    expect(String(logs.at(-1)?.msg)).toMatch(/no answer from .* after 2 attempts/);
    expect(lines()).toEqual([]);
  });

  it("a 200 that is not a number of seconds (a stand-in server)", async () => {
    const fake: Server = createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    const address = fake.address();
    try {
      const port = typeof address === "object" && address ? address.port : 0;
      const { exit, logs } = await probe({ NOTIFICATIONS_URL: `http://127.0.0.1:${port}/api/notify` });
      expect(exit.code).toBe(1);
      expect(String(logs.at(-1)?.msg)).toMatch(/answered 200 but not a latency in seconds: "hello"/);
      expect(lines()).toEqual([]);
    } finally {
      fake.close();
    }
  });

  it("the output file cannot be written", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const { exit, logs } = await probe({ OUTPUT_FILE: join(blocker, "latencies.txt") });
    expect(exit.code).toBe(1);
    expect(String(logs.at(-1)?.msg)).toMatch(/^cannot append to .*a-file\/latencies.txt/);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["a SECRET_KEY that is not 32 bytes", { SECRET_KEY: "short" }, /SECRET_KEY.*32 bytes/],
    ["a NOTIFICATIONS_URL that is not a URL", { NOTIFICATIONS_URL: "notifications-service:3000" }, /NOTIFICATIONS_URL/],
  ])("a bad setting: %s", async (_what, env, message) => {
    const { exit, logs, output } = await probe(env);
    expect(exit.code).toBe(1);
    expect(String(logs.at(-1)?.msg)).toMatch(message);
    expect(output).not.toContain("short\"");
    expect(lines()).toEqual([]);
  });
});

/** A stand-in server that answers a latency and remembers the URLs it was asked at. */
async function recordingServer(): Promise<{ urls: string[]; url: string; close: () => void }> {
  const urls: string[] = [];
  const server: Server = createServer((req, res) => {
    urls.push(req.url ?? "");
    req.resume();
    res.end("0.001");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { urls, url: `http://127.0.0.1:${port}/api/notify`, close: () => server.close() };
}

describe("the probe speaking for a group (TOKEN_PRIVATE_KEY and GROUP)", () => {
  // The stack's pair as Pulumi's tls.PrivateKey gives it: public key in SPKI PEM, private key in PKCS#1 PEM.
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  const privatePem = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  let postgres: Postgres;
  let graded: ServiceProcess;

  beforeAll(async () => {
    postgres = await startPostgres();
    graded = await startService("graded-service", {
      script: serviceScript,
      args: ["--secret-key", EXAMPLE_SECRET_KEY],
      env: { TOKEN_PUBLIC_KEY: publicPem, DATABASE_URL: postgres.url },
    });
  }, 60000);
  afterAll(async () => {
    await graded?.stop();
    await postgres?.stop();
  });

  it("signs a token for the group and the service stores the latency it appended under that group", async () => {
    const { exit } = await probe({ NOTIFICATIONS_URL: graded.url("/api/notify"), SECRET_KEY: EXAMPLE_SECRET_KEY, TOKEN_PRIVATE_KEY: privatePem, GROUP: "group3" });
    expect(exit.code).toBe(0);
    const [line] = lines();
    const db = new Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const stored = await db.query("SELECT measurement_id, group_id, latency FROM demo.notification WHERE group_id = 'group3'");
      expect(stored.rows).toEqual([{ measurement_id: "1234", group_id: "group3", latency: Number(line) }]);
    } finally {
      await db.end();
    }
  });

  it("signs a fresh short-lived RS256 token on every run: sub the group, exp a few minutes ahead; the URL it logs carries none", async () => {
    const standIn = await recordingServer();
    try {
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await probe({ NOTIFICATIONS_URL: standIn.url, TOKEN_PRIVATE_KEY: privatePem, GROUP: "group9" }));
      expect(runs.map((r) => r.exit.code)).toEqual([0, 0]);
      const tokens = standIn.urls.map((url) => new URL(url, "http://x").searchParams.get("token") ?? "");
      expect(tokens).toHaveLength(2);
      for (const token of tokens) {
        expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", typ: "JWT" });
        const claims = decodeJwt(token);
        expect(claims.sub).toBe("group9");
        expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + TOKEN_TTL_SECONDS - 30);
        expect(claims.exp).toBeLessThanOrEqual(Date.now() / 1000 + TOKEN_TTL_SECONDS);
      }
      for (const r of runs) expect(r.output).not.toContain(tokens[0].split(".")[2]);
    } finally {
      standIn.close();
    }
  });

  it("with a key the service does not know: the course's 500 is logged, it exits 1 and writes nothing", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const { exit, logs } = await probe({ NOTIFICATIONS_URL: graded.url("/api/notify"), TOKEN_PRIVATE_KEY: stranger, GROUP: "group3" });
    expect(exit.code).toBe(1);
    expect(String(logs.at(-1)?.msg)).toMatch(/answered 500: Token must be encoded by ECC private key$/);
    expect(lines()).toEqual([]);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["GROUP without TOKEN_PRIVATE_KEY", { GROUP: "group3" }, /TOKEN_PRIVATE_KEY.*required with GROUP/],
    ["TOKEN_PRIVATE_KEY without GROUP", { TOKEN_PRIVATE_KEY: privatePem }, /GROUP.*required with TOKEN_PRIVATE_KEY/],
    ["a TOKEN_PRIVATE_KEY that is a public key", { TOKEN_PRIVATE_KEY: publicPem, GROUP: "group3" }, /TOKEN_PRIVATE_KEY=.*<hidden>.*not valid: a PEM RSA private key/],
  ])("refuses %s: exit 1 naming the setting, no key echoed", async (_what, env, message) => {
    const { exit, logs, output } = await probe(env);
    expect(exit.code).toBe(1);
    expect(String(logs.at(-1)?.msg)).toMatch(message);
    for (const pem of [privatePem, publicPem]) expect(output).not.toContain(pem.split("\n")[1]);
    expect(lines()).toEqual([]);
  });
});

describe("the probe's defaults", () => {
  it("reach the service by its container name and write to the bind mount at /data", () => {
    expect(readConfig({})).toEqual({
      url: "http://notifications-service:3000/api/notify",
      outputFile: "/data/latencies.txt",
      body: { kind: "example" },
      attempts: 10,
      timeoutMs: 5000,
      retryDelayMs: 500,
    });
  });
});
