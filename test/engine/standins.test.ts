/**
 * The stand-in images keep the contracts the labs rely on, run for real on
 * the private engine and reached through ports published on 127.0.0.1.
 * Needs the engine and the stand-ins: `scripts/test-engine.sh start && scripts/standins/build.sh`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { Client } from "pg";
import {
  docker,
  freePort,
  requireEngine,
  requireStandins,
  startContainer,
  waitFor,
  type Container,
  type Engine,
  type Standin,
} from "@container-labs/test-kit";
import { PROJECT_NODE_VERSION } from "../support/nodeVersion";

let engine: Engine;
let standins: Record<Standin, string>;
const started: Container[] = [];
const volumes: string[] = [];
const unique = (what: string) => `cl-standin-test-${what}-${process.pid}`;

beforeAll(async () => {
  engine = await requireEngine();
  standins = await requireStandins(engine);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((container) => container.remove()));
  for (const volume of volumes) await docker(engine, ["volume", "rm", "--force", volume]).catch(() => undefined);
});

async function start(options: Parameters<typeof startContainer>[1]): Promise<Container> {
  const container = await startContainer(engine, options);
  started.push(container);
  return container;
}

function volume(what: string): string {
  const name = unique(what);
  volumes.push(name);
  return name;
}

describe("node", () => {
  it("has the project's Node (.node-version), npm 11.21.3, a node user with uid/gid 1000 and dash as /bin/sh", async () => {
    const output = await docker(engine, ["run", "--rm", standins.node, "sh", "-c", "node --version; npm --version; id node; readlink -f /bin/sh"]);
    expect(output.split("\n")).toEqual([`v${PROJECT_NODE_VERSION}`, "11.21.3", "uid=1000(node) gid=1000(node) groups=1000(node)", "/usr/bin/dash"]);
  }, 60_000);
});

describe("redis", () => {
  it("answers PING on 6379 to a client that is not on its loopback (protected mode off, as the official image)", async () => {
    const port = await freePort();
    await start({ image: standins.redis, name: unique("redis"), publish: { 6379: port } });
    const ping = () =>
      new Promise<string>((resolve, reject) => {
        const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
        socket.setTimeout(2000, () => socket.destroy(new Error("no answer within 2 s")));
        socket.once("data", (data) => {
          resolve(data.toString());
          socket.destroy();
        });
        socket.once("close", () => reject(new Error("closed without an answer")));
        socket.once("error", reject);
      });
    await waitFor("redis to answer", async () => (await ping()) === "+PONG\r\n", { timeoutMs: 20_000, intervalMs: 200 });
  }, 60_000);
});

describe("postgres", () => {
  const env = { POSTGRES_USER: "lab", POSTGRES_PASSWORD: "secret-password", POSTGRES_DB: "labdb" };

  async function startPostgres(data: string, suffix: string, given: Record<string, string> = env, mounts: Record<string, string> = {}): Promise<{ container: Container; port: number }> {
    const port = await freePort();
    const container = await start({ image: standins.postgres, name: unique(`postgres-${suffix}`), env: given, publish: { 5432: port }, volumes: { [data]: "/var/lib/postgresql/data", ...mounts } });
    await waitFor("pg_isready", async () => {
      await container.exec(["pg_isready", "-U", env.POSTGRES_USER, "-d", env.POSTGRES_DB]);
      return true;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    return { container, port };
  }

  async function query(port: number, sql: string, password = env.POSTGRES_PASSWORD): Promise<unknown[]> {
    const client = new Client({ host: "127.0.0.1", port, user: env.POSTGRES_USER, password, database: env.POSTGRES_DB });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it("initialises from POSTGRES_USER/PASSWORD/DB as the postgres user, and keeps its data on a named volume when the container is replaced", async () => {
    const data = volume("pgdata");
    const first = await startPostgres(data, "first");
    await waitFor("a password login over TCP", async () => (await query(first.port, "SELECT 1 AS one")).length === 1, { timeoutMs: 20_000, intervalMs: 500 });
    await query(first.port, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");
    expect(await first.container.exec(["stat", "-c", "%u %a", "/var/lib/postgresql/data"])).toBe("70 700");
    await expect(query(first.port, "SELECT 1", "wrong-password")).rejects.toThrow(/password authentication failed/);
    await first.container.remove();

    const second = await startPostgres(data, "second");
    await waitFor("the replacement to accept logins", async () => (await query(second.port, "SELECT 1 AS one")).length === 1, { timeoutMs: 20_000, intervalMs: 500 });
    expect(await query(second.port, "SELECT body FROM notes")).toEqual([{ body: "kept" }]);
    expect(await second.container.logs()).not.toMatch(/initialising/);
  }, 180_000);

  it("takes the password from the file POSTGRES_PASSWORD_FILE names, as a swarm secret gives it (read-only, mode 0444), and refuses both forms at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cl-standin-secret-"));
    // Open to the postgres user as a swarm's /run/secrets is.
    chmodSync(dir, 0o755);
    try {
      writeFileSync(join(dir, "postgres_password"), env.POSTGRES_PASSWORD, { mode: 0o444 });
      const { POSTGRES_PASSWORD: _, ...withoutPassword } = env;
      const fromFile = { ...withoutPassword, POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password" };
      const { port } = await startPostgres(volume("pgdata-file"), "file", fromFile, { [dir]: "/run/secrets:ro" });
      await waitFor("a login with the file's password", async () => (await query(port, "SELECT 1 AS one")).length === 1, { timeoutMs: 20_000, intervalMs: 500 });
      await expect(query(port, "SELECT 1", "wrong-password")).rejects.toThrow(/password authentication failed/);

      const both = await docker(engine, ["run", "--rm", "--env", "POSTGRES_PASSWORD=x", "--env", "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password", "--volume", `${dir}:/run/secrets:ro`, standins.postgres]).catch((err: Error) => err.message);
      expect(both).toMatch(/both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("refuses to initialise without a password, saying which variable to set", async () => {
    const output = await docker(engine, ["run", "--rm", standins.postgres]).catch((err: Error) => err.message);
    expect(output).toMatch(/POSTGRES_PASSWORD is not set/);
  }, 60_000);
});

describe("nginx", () => {
  it("renders /etc/nginx/templates/*.template with the variables NGINX_ENVSUBST_FILTER lets through, leaving nginx's own $variables", async () => {
    const port = await freePort();
    const container = await start({
      image: standins.nginx,
      name: unique("nginx"),
      env: { GREETING: "hello from the template", OTHER: "must-not-appear", NGINX_ENVSUBST_FILTER: "^GREETING$" },
      publish: { 80: port },
      entrypoint: "/bin/sh",
      command: [
        "-c",
        [
          "mkdir -p /etc/nginx/templates",
          // eslint-disable-next-line no-template-curly-in-string
          `printf '%s\\n' 'server { listen 80 default_server; location / { return 200 "\${GREETING} on $host"; } } # \${OTHER}' > /etc/nginx/templates/site.conf.template`,
          "rm /etc/nginx/conf.d/default.conf",
          "exec /docker-entrypoint.sh nginx -g 'daemon off;'",
        ].join(" && "),
      ],
    });
    await waitFor("nginx to serve the rendered site", async () => (await fetch(`http://127.0.0.1:${port}/`)).ok, { timeoutMs: 20_000, intervalMs: 200 });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("hello from the template on 127.0.0.1");
    expect(await container.exec(["cat", "/etc/nginx/conf.d/site.conf"])).toContain("# ${OTHER}");
    const image = JSON.parse(await docker(engine, ["image", "inspect", standins.nginx]))[0];
    expect([image.Config.StopSignal, image.Config.Entrypoint, await container.exec(["id", "nginx"])]).toEqual([
      "SIGQUIT",
      ["/docker-entrypoint.sh"],
      "uid=101(nginx) gid=101(nginx) groups=101(nginx)",
    ]);
  }, 60_000);
});

describe("dynamodb-local", () => {
  it("takes the program's DynamoDB Local command line, answers CreateTable/PutItem/GetItem on 8000, and keeps the data under -dbPath", async () => {
    const data = volume("dynamodb");
    const run = async (suffix: string) => {
      const port = await freePort();
      const container = await start({
        image: standins["dynamodb-local"],
        name: unique(`dynamodb-${suffix}`),
        user: "root",
        publish: { 8000: port },
        volumes: { [data]: "/home/dynamodblocal/data" },
        command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data"],
      });
      const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-west-2", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      await waitFor("dynamodb-local to answer", async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined, { timeoutMs: 20_000, intervalMs: 200 });
      return { container, client };
    };
    const first = await run("first");
    await first.client.send(new CreateTableCommand({
      TableName: "User-ci",
      AttributeDefinitions: [{ AttributeName: "user_id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "user_id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await first.client.send(new PutItemCommand({ TableName: "User-ci", Item: { user_id: { S: "u1" }, fname: { S: "Ada" } } }));
    await first.container.remove();

    const second = await run("second");
    const { Item } = await second.client.send(new GetItemCommand({ TableName: "User-ci", Key: { user_id: { S: "u1" } } }));
    expect(Item).toEqual({ user_id: { S: "u1" }, fname: { S: "Ada" } });
    expect(await second.container.logs()).toMatch(/dynamodb-local stand-in .*port 8000, data in \/home\/dynamodblocal\/data/);
  }, 120_000);

  it("runs as a non-root user by default, and names an option it does not know", async () => {
    const image = JSON.parse(await docker(engine, ["image", "inspect", standins["dynamodb-local"]]))[0];
    expect(image.Config.User).toBe("dynamodblocal");
    const output = await docker(engine, ["run", "--rm", standins["dynamodb-local"], "-jar", "DynamoDBLocal.jar", "-bogus"]).catch((err: Error) => err.message);
    expect(output).toMatch(/unknown option -bogus/);
  }, 60_000);
});
