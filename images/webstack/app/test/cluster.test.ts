import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { run, startPostgres, waitFor, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { APP_SCRIPT, makeVolumes, multipartFile, startApp, upload, type Volumes } from "../../test/webstack";

let postgres: Postgres;
let volumes: Volumes;

beforeAll(async () => {
  postgres = await startPostgres();
  postgres.createDatabase("webstack");
  volumes = makeVolumes();
}, 60000);

afterAll(async () => {
  await postgres?.stop();
  volumes?.remove();
});

/** Pids the primary logged as "worker listening", in order. */
function listeningWorkers(app: ServiceProcess): number[] {
  return app
    .logLines()
    .filter((line) => line.msg === "worker listening")
    .map((line) => line.workerPid as number);
}

/** The parent pid of a live process, or undefined once it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

describe("WEB_CONCURRENCY worker processes behind one port, as gunicorn runs Flask", () => {
  let app: ServiceProcess;

  beforeAll(async () => {
    app = await startApp({ postgres, database: "webstack", volumes, env: { WEB_CONCURRENCY: "3" } });
    await waitFor("3 workers listening", () => listeningWorkers(app).length === 3);
  }, 30000);

  afterAll(async () => {
    await app?.stop();
  });

  it("forks WEB_CONCURRENCY workers, children of the primary, all on the app's port", () => {
    const workers = listeningWorkers(app);
    expect(new Set(workers).size).toBe(3);
    for (const pid of workers) expect(parentOf(pid)).toBe(app.child.pid);
    const ports = app.logLines().filter((line) => line.msg === "worker listening").map((line) => line.port);
    expect(ports).toEqual([app.port, app.port, app.port]);
  });

  it("replaces a worker that dies, and keeps serving meanwhile", async () => {
    const [victim] = listeningWorkers(app);
    process.kill(victim, "SIGKILL");
    await waitFor("a replacement worker", () => listeningWorkers(app).length === 4);
    const replacement = listeningWorkers(app)[3];
    expect(parentOf(victim)).toBeUndefined();
    expect(parentOf(replacement)).toBe(app.child.pid);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(app.url("/")).then((res) => res.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
  });

  it("on SIGTERM passes it to every worker and exits 0 once all have closed", async () => {
    const live = listeningWorkers(app).filter((pid) => parentOf(pid) === app.child.pid);
    expect(live).toHaveLength(3);
    const exit = await app.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    for (const pid of live) expect(parentOf(pid)).toBeUndefined();
    expect(app.logLines().some((line) => line.msg === "all workers closed" && line.workers === 3)).toBe(true);
  });
});

describe("an upload cut short by a worker's death leaves nothing behind", () => {
  const hiddenFiles = (): string[] => readdirSync(volumes.mediaDir).filter((name) => name.startsWith("."));

  it("removes, at start, unfinished uploads an earlier run left in the media volume", async () => {
    writeFileSync(join(volumes.mediaDir, ".upload-4242-0123456789abcdef"), "half a file");
    writeFileSync(join(volumes.mediaDir, ".upload-0123456789abcdef"), "half a file from an older version");
    const app = await startApp({ postgres, database: "webstack", volumes, env: { WEB_CONCURRENCY: "1" } });
    try {
      expect(hiddenFiles()).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it("removes the half-written upload of a worker killed mid-upload, and the replacement serves", async () => {
    const app = await startApp({ postgres, database: "webstack", volumes, env: { WEB_CONCURRENCY: "2" } });
    try {
      await waitFor("the workers", () => listeningWorkers(app).length === 2);
      // The head of a 1 MiB upload and its first bytes, then nothing: the worker is writing it when it dies.
      const { body, headers } = multipartFile("interrupted.bin", Buffer.alloc(1024 * 1024, 7));
      const slow = request(app.url("/upload"), { method: "POST", headers: { ...headers, "content-length": body.length } });
      slow.on("error", () => undefined);
      slow.write(body.subarray(0, 64 * 1024));
      await waitFor("the upload's temporary file", () => hiddenFiles().length === 1);
      // Either worker may have taken the upload: its temporary name carries its pid.
      const worker = Number(/^\.upload-(\d+)-/.exec(hiddenFiles()[0])![1]);
      expect(listeningWorkers(app)).toContain(worker);

      process.kill(worker, "SIGKILL");
      await waitFor("the temporary file to be removed", () => hiddenFiles().length === 0);
      slow.destroy();
      await waitFor("a replacement worker", () => listeningWorkers(app).length === 3);
      expect((await upload(app.url(""), "after.txt", "fine")).status).toBe(201);
      expect(app.logLines().some((line) => line.msg === "removed the unfinished uploads of a worker that died" && line.workerPid === worker)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});

/** Runs the app with the test's database and volumes plus `env`, until it exits by itself. */
async function runUntilExit(env: Record<string, string>) {
  const proc = run("webstack-app", process.execPath, {
    args: [APP_SCRIPT],
    env: { DATABASE_URL: postgres.urlFor("webstack"), STATIC_DIR: volumes.staticDir, MEDIA_DIR: volumes.mediaDir, ...env },
  });
  const exit = await proc.exited;
  return { code: exit.code, output: proc.output(), logs: proc.logLines() };
}

describe("a worker that cannot start", () => {
  it("is restarted a bounded number of times, then the app gives up with exit 1", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "0.0.0.0", resolve));
    const address = squatter.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const answer = await runUntilExit({ PORT: String(port), WEB_CONCURRENCY: "2" });
      expect(answer.code).toBe(1);
      // 5 restarts per worker within 60 s are allowed: 10 for 2 workers.
      expect(answer.logs.filter((line) => line.msg === "worker died; starting a replacement")).toHaveLength(10);
      expect(answer.logs.some((line) => line.msg === "workers keep dying; giving up")).toBe(true);
    } finally {
      squatter.close();
    }
  }, 20000);
});

describe("WEB_CONCURRENCY=1: one process, as the lab deploys it", () => {
  it("serves from the process itself, no worker forked, with the media quota kept there", async () => {
    const own = makeVolumes();
    const app = await startApp({ postgres, database: "webstack", volumes: own, env: { WEB_CONCURRENCY: "1", MEDIA_QUOTA_BYTES: "10" } });
    try {
      expect((await fetch(app.url("/"))).status).toBe(200);
      const children = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry) && parentOf(Number(entry)) === app.child.pid);
      expect(children).toEqual([]);
      expect(listeningWorkers(app)).toEqual([]);
      expect((await upload(app.url(""), "small.txt", "0123456789")).status).toBe(201);
      expect((await upload(app.url(""), "over.txt", "x")).status).toBe(507);
    } finally {
      await app.stop();
      own.remove();
    }
  });

  it("a port already taken ends it with exit 1 and a line saying why, for the container's restart policy to act on", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "0.0.0.0", resolve));
    const address = squatter.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const answer = await runUntilExit({ PORT: String(port), WEB_CONCURRENCY: "1" });
      expect(answer.code).toBe(1);
      expect(answer.logs.some((line) => line.level === "fatal" && String(line.msg).includes("EADDRINUSE"))).toBe(true);
    } finally {
      squatter.close();
    }
  }, 20000);
});

describe("settings are checked before anything starts", () => {
  it("a bad WEB_CONCURRENCY stops the app with one line naming it", async () => {
    const answer = await runUntilExit({ WEB_CONCURRENCY: "0" });
    expect(answer.code).toBe(1);
    const lines = answer.output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: "fatal",
      service: "webstack-app",
      msg: 'WEB_CONCURRENCY="0" is not valid: an integer from 1 to 64',
    });
  });

  it("a DATABASE_URL that is not a postgres URL is named, its value never printed", async () => {
    const answer = await runUntilExit({ DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(answer.code).toBe(1);
    expect(answer.output).toContain("DATABASE_URL");
    expect(answer.output).not.toContain("hunter2");
  });

  it("a MEDIA_DIR the app cannot write stops it naming MEDIA_DIR", async () => {
    const file = join(volumes.root, "not-a-dir");
    writeFileSync(file, "");
    const answer = await runUntilExit({ MEDIA_DIR: join(file, "media") });
    expect(answer.code).toBe(1);
    expect(answer.output).toContain(`MEDIA_DIR=${join(file, "media")} is not a directory this process`);
  });
});
