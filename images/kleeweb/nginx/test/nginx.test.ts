import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import {
  freePort, startNginx, startPostgres, startRedis, startService, type Dependency, type Postgres, type ServiceProcess,
} from "@container-labs/test-kit";
import { DEFAULT_SERVER_LIMITS } from "@container-labs/service-kit";
import { bodyLimitFor } from "../../web/src/settings";

const IMAGE_DIR = join(__dirname, "..");
const WEB = join(IMAGE_DIR, "..", "web", "dist", "main.js");
const WEB_DEFAULT_MAX_SOURCE_BYTES = 65536;
const PER_CLIENT = 3;

/** The Dockerfile's ENV defaults: the values the template gets unless a container overrides them. */
function dockerfileDefaults(): Record<string, string> {
  const dockerfile = readFileSync(join(IMAGE_DIR, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const env = /^ENV\s+(.+)$/m.exec(dockerfile)?.[1] ?? "";
  return Object.fromEntries([...env.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

/** What the image's entrypoint does: envsubst of the variables that are set, nginx's own $vars untouched. */
function renderTemplate(values: Record<string, string>): string {
  const template = readFileSync(join(IMAGE_DIR, "templates", "default.conf.template"), "utf8");
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

it("gives up an idle connection to web before web's own keep-alive timeout would close it (else a reused one can be reset: 502)", () => {
  const upstream = /upstream kleeweb_web \{[^}]*\}/.exec(renderTemplate(dockerfileDefaults()))?.[0] ?? "";
  const seconds = /keepalive_timeout (\d+)s;/.exec(upstream)?.[1];
  expect(Number(seconds) * 1000).toBeLessThan(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs);
});

let redis: Dependency;
let postgres: Postgres;
let web: ServiceProcess;
let nginx: Dependency;
const defaults = dockerfileDefaults();

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  postgres.createDatabase("kleeweb");
  // nginx runs on 127.0.0.1 here: web trusts it as the lab's web trusts the lab's network.
  web = await startService("kleeweb-web", {
    script: WEB,
    env: { REDIS_URL: redis.url, DATABASE_URL: postgres.urlFor("kleeweb"), HTTP_TRUSTED_PROXIES: "127.0.0.1", MAX_QUEUED_JOBS_PER_CLIENT: String(PER_CLIENT) },
  });
  const port = await freePort();
  const server = renderTemplate({ ...defaults, WEB_UPSTREAM: `127.0.0.1:${web.port}`, LISTEN_PORT: String(port) });
  expect(server).not.toMatch(/\$\{/);
  // Debian's nginx runs the test; temp paths are relative to its temp prefix.
  nginx = await startNginx(`user root;\nevents {}\nhttp {\n  client_body_temp_path body;\n  proxy_temp_path proxy;\n${server}\n}\n`, port);
}, 60000);

afterAll(async () => {
  await nginx?.stop();
  await web?.stop();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

function submit(source: string): Promise<Response> {
  return fetch(`${nginx.url}/api/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source }) });
}

describe("kleeweb nginx in front of web", () => {
  it("defaults its body limit to web's HTTP body limit for web's default MAX_SOURCE_BYTES", () => {
    expect(defaults).toMatchObject({ WEB_UPSTREAM: "web:8000", LISTEN_PORT: "80" });
    expect(Number(defaults.CLIENT_MAX_BODY_SIZE)).toBe(bodyLimitFor(WEB_DEFAULT_MAX_SOURCE_BYTES));
  });

  it("proxies the page and the API to web", async () => {
    const page = await fetch(`${nginx.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form id="submit">');

    const created = await submit("int main(void) { return 0; }");
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const view = await fetch(`${nginx.url}/api/jobs/${id}`);
    expect(await view.json()).toMatchObject({ id, status: "queued" });
  });

  it("answers its own health route without asking web", async () => {
    const res = await fetch(`${nginx.url}/nginx-health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    const posted = await fetch(`${nginx.url}/nginx-health`, { method: "POST" });
    expect(posted.status).toBe(405);
    expect(posted.headers.get("allow")).toBe("GET, HEAD");
  });

  it("rejects a body over the limit with 413 itself, before web sees it", async () => {
    const res = await submit("x".repeat(Number(defaults.CLIENT_MAX_BODY_SIZE)));
    expect(res.status).toBe(413);
    expect(res.headers.get("server")).toMatch(/^nginx/);
    expect(await res.text()).toContain("413 Request Entity Too Large");
  });

  it("passes a source just over MAX_SOURCE_BYTES on to web, whose 413 explains the limit", async () => {
    const res = await submit("x".repeat(WEB_DEFAULT_MAX_SOURCE_BYTES + 1));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `"source" is ${WEB_DEFAULT_MAX_SOURCE_BYTES + 1} bytes; the limit is ${WEB_DEFAULT_MAX_SOURCE_BYTES} bytes` });
  });

  it("names each client to web by the address nginx sees, so one client's share of the queue is its own, whatever it claims", async () => {
    /** A submission from the client address `from`, claiming to be 203.0.113.9 in X-Real-IP and X-Forwarded-For. */
    const submitFrom = (from: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${nginx.url}/api/jobs`);
        const forged = { "x-real-ip": "203.0.113.9", "x-forwarded-for": "203.0.113.9" };
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress: from, headers: { "content-type": "application/json", ...forged } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end(JSON.stringify({ source: "int main(void) { return 0; }" }));
      });
    const statuses = [];
    for (let i = 0; i <= PER_CLIENT; i++) statuses.push(await submitFrom("127.0.0.2"));
    expect(statuses).toEqual([...Array(PER_CLIENT).fill(201), 429]);
    expect(await submitFrom("127.0.0.3")).toBe(201);
  });
});
