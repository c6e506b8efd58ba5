import { request } from "node:http";
import { join } from "node:path";
import { Pool } from "pg";
import { createClient } from "@redis/client";
import { startPostgres, startRedis, startService, type Dependency, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { QUEUE_KEY } from "@container-labs/kleeweb-kit";

const WEB = join(__dirname, "..", "dist", "main.js");
const MAX_SOURCE_BYTES = 1000;
/** The throwaway cluster trusts every login, so any password works: this one must never reach a log line. */
const DATABASE_PASSWORD = "s3cret-pw";

let redis: Dependency;
let postgres: Postgres;
let web: ServiceProcess;
const queue = () => createClient({ url: redis.url });

async function submit(body: string, contentType = "application/json"): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(web.url("/api/jobs"), { method: "POST", headers: { "content-type": contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function startWeb(database = "kleeweb", env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService("kleeweb-web", {
    script: WEB,
    env: {
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.urlFor(database).replace("postgres@", `postgres:${DATABASE_PASSWORD}@`),
      MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES),
      ...env,
    },
  });
}

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  postgres.createDatabase("kleeweb");
  web = await startWeb();
}, 60000);

afterAll(async () => {
  await web?.stop();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

describe("bounds on the job queue", () => {
  // 127.0.0.1 stands for the lab's nginx, which sets X-Real-IP to its own client's address.
  const PER_CLIENT = 3;
  const TOTAL = 8;
  let bounded: ServiceProcess;

  beforeAll(async () => {
    postgres.createDatabase("kleeweb_bounds");
    bounded = await startWeb("kleeweb_bounds", {
      MAX_QUEUED_JOBS_PER_CLIENT: String(PER_CLIENT),
      MAX_QUEUED_JOBS: String(TOTAL),
      QUEUE_RETRY_AFTER_SECONDS: "45",
      HTTP_TRUSTED_PROXIES: "127.0.0.1",
    });
  }, 60000);
  afterAll(() => bounded?.stop());

  /** POST /api/jobs from the socket address `from`, with the X-Real-IP header `realIp` when given. */
  function submitFrom(from: string, realIp?: string): Promise<{ status: number; retryAfter?: string; body: Record<string, unknown> }> {
    const url = new URL(bounded.url("/api/jobs"));
    const body = JSON.stringify({ source: `int main(void) { return 0; } /* ${realIp ?? from} */` });
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress: from,
          headers: { "content-type": "application/json", ...(realIp ? { "x-real-ip": realIp } : {}) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("refuses a client over its share with 429 and Retry-After while another client is still queued", async () => {
    for (let i = 0; i < PER_CLIENT; i++) expect((await submitFrom("127.0.0.1", "198.51.100.1")).status).toBe(201);
    const over = await submitFrom("127.0.0.1", "198.51.100.1");
    expect(over).toEqual({
      status: 429,
      retryAfter: "45",
      body: { error: `you have ${PER_CLIENT} unfinished jobs, the most one client may have; submit again when one has finished` },
    });
    expect((await submitFrom("127.0.0.1", "198.51.100.2")).status).toBe(201);
  });

  it("believes X-Real-IP only from the trusted proxy: a client connecting itself is counted by its own address", async () => {
    // 198.51.100.1 has used its share: claiming to be it neither blocks this client nor gives it new shares.
    for (const claimed of ["198.51.100.1", "198.51.100.9", "198.51.100.10"]) expect((await submitFrom("127.0.0.2", claimed)).status).toBe(201);
    expect((await submitFrom("127.0.0.2", "198.51.100.11")).status).toBe(429);
  });

  it("refuses everyone with 503 and Retry-After once the queue holds its total", async () => {
    // 3 + 1 + 3 queued so far: one more place.
    expect((await submitFrom("127.0.0.1", "198.51.100.5")).status).toBe(201);
    const full = await submitFrom("127.0.0.1", "198.51.100.6");
    expect(full).toEqual({
      status: 503,
      retryAfter: "45",
      body: { error: `the queue holds ${TOTAL} unfinished jobs, the most it takes; submit again when one has finished` },
    });
    const { jobs } = (await (await fetch(bounded.url("/api/jobs"))).json()) as { jobs: unknown[] };
    expect(jobs).toHaveLength(TOTAL);
  });
});

describe("kleeweb web", () => {
  it("serves the submission page without external assets", async () => {
    const res = await fetch(web.url("/"));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain('<form id="submit">');
    expect(html).toContain("/api/jobs");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("records a submitted job as queued and pushes its id onto the redis queue", async () => {
    const client = queue();
    await client.connect();
    try {
      const submitted = await submit(JSON.stringify({ source: "int main(void) { return 0; }" }));
      expect(submitted.status).toBe(201);
      expect(submitted.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: "queued" });
      expect(await client.lRange(QUEUE_KEY, 0, -1)).toContain(submitted.body.id);

      const job = (await (await fetch(web.url(`/api/jobs/${submitted.body.id}`))).json()) as Record<string, unknown>;
      expect(job).toMatchObject({ id: submitted.body.id, status: "queued", exit_code: null, output: null, attempts: 0, started_at: null, finished_at: null });
      expect(Date.parse(job.created_at as string)).toBeGreaterThan(Date.now() - 60000);
    } finally {
      await client.quit();
    }
  });

  it("lists jobs newest first, bounded by limit", async () => {
    const ids: unknown[] = [];
    for (const n of [1, 2, 3]) ids.push((await submit(JSON.stringify({ source: `int main(void) { return ${n}; }` }))).body.id);
    const res = await fetch(web.url("/api/jobs?limit=2"));
    const { jobs } = (await res.json()) as { jobs: Array<Record<string, unknown>> };
    expect(jobs.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(jobs[0]).not.toHaveProperty("source");
    expect((await fetch(web.url("/api/jobs?limit=0"))).status).toBe(400);
  });

  it("answers a method a known path does not take with 405 and Allow, not 404", async () => {
    const res = await fetch(web.url("/api/jobs"), { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await res.json()).toEqual({ error: "PUT is not allowed on /api/jobs; it takes GET, HEAD, POST" });
  });

  it("answers 404 for an unknown or malformed job id", async () => {
    for (const id of ["7d9f5a4e-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const res = await fetch(web.url(`/api/jobs/${id}`));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: `no job with id ${id}` });
    }
  });

  it.each([
    ["a body that is not JSON", "{source: oops", /JSON/i],
    ["a JSON array", "[]", /JSON object/],
    ["no source field", JSON.stringify({ code: "int main;" }), /no "source" field/],
    ["a source that is not a string", JSON.stringify({ source: 42 }), /"source" must be a string, not number/],
    ["an empty source", JSON.stringify({ source: "  \n" }), /"source" is empty/],
    // PostgreSQL's text cannot hold NUL: this was a 500 from the INSERT.
    ["a source containing NUL", JSON.stringify({ source: "int main(void) { return 0; }\u0000" }), /"source" contains a NUL character \(\\u0000\) at offset 28/],
  ])("rejects %s with 400 and says why", async (_case, body, reason) => {
    const res = await submit(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(reason);
  });

  it("rejects a body that is not JSON at all", async () => {
    const res = await submit("int main(void) { return 0; }", "text/plain");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/JSON object/);
  });

  it("rejects a source over MAX_SOURCE_BYTES with 413, counting bytes rather than characters", async () => {
    const source = "é".repeat(MAX_SOURCE_BYTES / 2 + 1); // fewer characters than the limit, more bytes
    const res = await submit(JSON.stringify({ source }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe(`"source" is ${MAX_SOURCE_BYTES + 2} bytes; the limit is ${MAX_SOURCE_BYTES} bytes`);
    expect((await submit(JSON.stringify({ source: "x".repeat(MAX_SOURCE_BYTES) }))).status).toBe(201);
  });

  it("rejects a body larger than the HTTP limit with 413 before parsing it", async () => {
    const res = await submit(JSON.stringify({ source: "x".repeat(10 * MAX_SOURCE_BYTES) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/request body is larger than 6096 bytes \(sources are limited to 1000 bytes\)/);
  });

  it("starts again on an existing schema (schema creation is idempotent)", async () => {
    const second = await startWeb();
    try {
      expect((await fetch(second.url("/readiness"))).status).toBe(200);
      const { jobs } = (await (await fetch(second.url("/api/jobs"))).json()) as { jobs: unknown[] };
      expect(jobs.length).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });

  it("bounds a table created before the bounds: its jobs count for everyone, new ones for their client", async () => {
    postgres.createDatabase("kleeweb_before_bounds");
    const pool = new Pool({ connectionString: postgres.urlFor("kleeweb_before_bounds") });
    try {
      // The table as the previous web created it, without the client column, holding one queued job.
      await pool.query(`CREATE TABLE kleeweb_jobs (id uuid PRIMARY KEY, source text NOT NULL, status text NOT NULL DEFAULT 'queued',
        exit_code integer, output text, attempts integer NOT NULL DEFAULT 0, worker_id text,
        created_at timestamptz NOT NULL DEFAULT now(), started_at timestamptz, finished_at timestamptz)`);
      await pool.query("INSERT INTO kleeweb_jobs (id, source) VALUES ('7d9f5a4e-0000-4000-8000-000000000001', 'int main;')");
      const upgraded = await startWeb("kleeweb_before_bounds", { MAX_QUEUED_JOBS: "2" });
      try {
        const post = () => fetch(upgraded.url("/api/jobs"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: "int main(void) { return 0; }" }) });
        expect((await post()).status).toBe(201);
        expect((await post()).status).toBe(503);
      } finally {
        await upgraded.stop();
      }
    } finally {
      await pool.end();
    }
  });

  it("reports not ready while redis is unreachable, and never logs the database password", async () => {
    expect((await fetch(web.url("/readiness"))).status).toBe(200);
    await redis.stop();
    const res = await fetch(web.url("/readiness"));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^redis: /);
    expect((await submit(JSON.stringify({ source: "int main(void) { return 0; }" }))).status).toBe(503);
    expect(web.output()).toContain("postgres:***@");
    expect(web.output()).not.toContain(DATABASE_PASSWORD);
  });
});
