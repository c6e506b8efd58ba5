import { execFileSync } from "node:child_process";
import { freePort, run, sleep, startPostgres, startService, waitFor, httpOk, type Postgres } from "@container-labs/test-kit";
import { APP_SCRIPT, CLI_SCRIPT, makeVolumes, startApp, type Volumes } from "../../test/webstack";

let postgres: Postgres;
let volumes: Volumes;

beforeAll(async () => {
  postgres = await startPostgres();
  volumes = makeVolumes();
}, 60000);

afterAll(async () => {
  await postgres?.stop();
  volumes?.remove();
});

/** Rows of a query, as psql prints them unaligned: one line per row, fields joined by "|". */
function sql(database: string, query: string): string[] {
  const out = execFileSync("psql", [postgres.urlFor(database), "-XAt", "-v", "ON_ERROR_STOP=1", "-c", query], { stdio: "pipe" }).toString();
  return out.split("\n").filter(Boolean);
}

/** Runs `node dist/cli.js <command>` against `database` and waits for it to exit. */
async function cli(database: string, command: string, env: Record<string, string> = {}) {
  const proc = run("cli", process.execPath, { args: [CLI_SCRIPT, command], env: { DATABASE_URL: postgres.urlFor(database), ...env } });
  const exit = await proc.exited;
  return { code: exit.code, output: proc.output() };
}

describe("the schema and seed commands (node dist/cli.js)", () => {
  beforeAll(() => postgres.createDatabase("commands"));

  it("create-db makes the users table: id serial primary key, email text unique not null, active boolean not null default true", async () => {
    expect((await cli("commands", "create-db")).code).toBe(0);
    const columns = sql(
      "commands",
      "select column_name, data_type, is_nullable, coalesce(column_default, '') from information_schema.columns where table_name = 'users' order by ordinal_position",
    );
    expect(columns).toEqual([
      "id|integer|NO|nextval('users_id_seq'::regclass)",
      "email|text|NO|",
      "active|boolean|NO|true",
    ]);
    const constraints = sql(
      "commands",
      "select c.contype, a.attname from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey) where c.conrelid = 'users'::regclass order by c.contype, a.attname",
    );
    expect(constraints).toEqual(["p|id", "u|email"]);
  });

  it("seed-db adds the course's one user, active; running it again adds nobody", async () => {
    expect((await cli("commands", "seed-db")).code).toBe(0);
    const again = await cli("commands", "seed-db");
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/michael@mherman.org already present/);
    expect(sql("commands", "select email, active from users")).toEqual(["michael@mherman.org|t"]);
  });

  it("the table refuses a second row with the same email", () => {
    expect(() => sql("commands", "insert into users (email) values ('michael@mherman.org')")).toThrow(/duplicate key/);
  });

  it("ensure-db keeps existing rows; create-db drops them, as the course's create_db does", async () => {
    expect((await cli("commands", "ensure-db")).code).toBe(0);
    expect(sql("commands", "select count(*) from users")).toEqual(["1"]);
    expect((await cli("commands", "create-db")).code).toBe(0);
    expect(sql("commands", "select count(*) from users")).toEqual(["0"]);
  });

  it("ensure-db creates the table in an empty database", async () => {
    postgres.createDatabase("empty");
    expect((await cli("empty", "ensure-db")).code).toBe(0);
    expect(sql("empty", "select count(*) from users")).toEqual(["0"]);
  });

  it("an unknown command prints the usage and exits 2", async () => {
    const answer = await cli("commands", "drop-everything");
    expect(answer.code).toBe(2);
    expect(answer.output).toMatch(/unknown command: drop-everything\nusage: node dist\/cli.js <command>/);
  });
});

describe("the profiles at start", () => {
  it("development recreates the schema and seeds it; production keeps the data it finds", async () => {
    postgres.createDatabase("profiles");
    const dev = await startApp({ postgres, database: "profiles", volumes, env: { APP_PROFILE: "development", WEB_CONCURRENCY: "1" } });
    await dev.stop();
    expect(sql("profiles", "select email from users")).toEqual(["michael@mherman.org"]);

    sql("profiles", "insert into users (email) values ('kept@example.com')");
    const prod = await startApp({ postgres, database: "profiles", volumes, env: { APP_PROFILE: "production", WEB_CONCURRENCY: "1" } });
    await prod.stop();
    expect(sql("profiles", "select email from users order by id")).toEqual(["michael@mherman.org", "kept@example.com"]);
  });
});

describe("waiting for the database", () => {
  it("starts once PostgreSQL comes up a few seconds after the app", async () => {
    const port = await freePort();
    const app = await startService("webstack-app", {
      script: APP_SCRIPT,
      healthPath: null,
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
        DB_WAIT_TIMEOUT_MS: "60000",
        WEB_CONCURRENCY: "1",
        STATIC_DIR: volumes.staticDir,
        MEDIA_DIR: volumes.mediaDir,
      },
    });
    let late: Postgres | undefined;
    try {
      await sleep(3000);
      expect(app.running).toBe(true);
      expect(await httpOk(app.url("/health")).catch(() => false)).toBe(false);
      late = await startPostgres(port);
      await waitFor("the app after the database came up", () => httpOk(app.url("/health")), { timeoutMs: 20000 });
      expect(await (await fetch(app.url("/"))).json()).toEqual({ hello: "world" });

      await late?.stop();
      expect((await fetch(app.url("/ready"))).status).toBe(503);
      expect((await fetch(app.url("/health"))).status).toBe(200);
    } finally {
      await app.stop();
      await late?.stop();
    }
  }, 60000);

  it("gives up after DB_WAIT_TIMEOUT_MS, naming the host, exits non-zero and never prints the password", async () => {
    const port = await freePort();
    const started = Date.now();
    const app = run("webstack-app", process.execPath, {
      args: [APP_SCRIPT],
      env: {
        DATABASE_URL: `postgres://webstack:s3cret-pw@127.0.0.1:${port}/webstack`,
        DB_WAIT_TIMEOUT_MS: "1500",
        STATIC_DIR: volumes.staticDir,
        MEDIA_DIR: volumes.mediaDir,
      },
    });
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    // The time is the behaviour: it gives up at DB_WAIT_TIMEOUT_MS (1.5 s, after a Node start of about
    // a second on a busy machine) instead of waiting on; 10 s keeps over 3x.
    expect(Date.now() - started).toBeLessThan(10000);
    expect(app.output()).toContain(`PostgreSQL at 127.0.0.1:${port} did not accept connections within 1500 ms (DB_WAIT_TIMEOUT_MS)`);
    expect(app.output()).not.toContain("s3cret-pw");
  });

  it("the commands wait and give up the same way", async () => {
    const port = await freePort();
    const proc = run("cli", process.execPath, {
      args: [CLI_SCRIPT, "create-db"],
      env: { DATABASE_URL: `postgres://postgres@db.invalid:${port}/x`, DB_WAIT_TIMEOUT_MS: "500" },
    });
    expect((await proc.exited).code).toBe(1);
    expect(proc.output()).toContain(`PostgreSQL at db.invalid:${port} did not accept connections within 500 ms`);
  });
});
