import { execFileSync } from "node:child_process";
import { request } from "node:http";
import { startNginx, startPostgres, startRedis, freePort, type Dependency, type Postgres } from "@container-labs/test-kit";

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject).end();
  });
}

describe("the real dependencies tests run against", () => {
  let redis: Dependency | undefined;
  let postgres: Postgres | undefined;
  afterEach(async () => {
    await redis?.stop();
    await postgres?.stop();
    redis = postgres = undefined;
  });

  it("starts a redis-server that answers PING on its own port", async () => {
    redis = await startRedis();
    const pong = execFileSync("redis-cli", ["-p", String(redis.port), "PING"]).toString().trim();
    expect(pong).toBe("PONG");
  });

  it("starts a throwaway PostgreSQL cluster that runs queries and makes databases", async () => {
    postgres = await startPostgres();
    postgres.createDatabase("labs");
    const out = execFileSync("psql", [postgres.urlFor("labs"), "-tAc", "select current_database()"]).toString().trim();
    expect(out).toBe("labs");
  }, 60000);

  it("starts nginx with a given config and stops it", async () => {
    const port = await freePort();
    const nginx = await startNginx(
      `events {}\nhttp { server { listen 127.0.0.1:${port}; location / { return 200 "from nginx"; } } }\n`,
      port,
    );
    expect(await get(`${nginx.url}/`)).toEqual({ status: 200, body: "from nginx" });
    await nginx.stop();
    expect(nginx.process.running).toBe(false);
  });
});
