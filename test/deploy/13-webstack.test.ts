/**
 * webstack on the deployed ci stack, through nginx on port 1337: the app, a
 * static file, an upload served back from /media/ so that it cannot run as a
 * page, the size limit, and the database's rows across replaced containers.
 */
import { up } from "@container-labs/test-kit";
import { deployed, http, urnOf, type Deployed } from "./deployed";

/** webstackMaxUploadBytes's default. */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const CONTAINER = "docker:index/container:Container";

let stack: Deployed;
let site: string;
beforeAll(async () => {
  stack = await deployed();
  site = stack.labs.webstack.urls.site;
});

const upload = (name: string, content: Buffer | string) => {
  const form = new FormData();
  form.append("file", new Blob([content]), name);
  return http(`${site}upload`, { method: "POST", body: form, headers: { accept: "application/json" } });
};

it("answers GET / from the app, through nginx on 1337", async () => {
  expect(site).toBe("http://localhost:1337/");
  const answer = await http(site);
  expect([answer.status, answer.json()]).toEqual([200, { hello: "world" }]);
});

it("serves a static file the app collected, from nginx", async () => {
  const answer = await http(`${site}static/hello.txt`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get("server")).toMatch(/^nginx/);
});

it("serves an upload back from /media/, as an attachment that cannot run as a page", async () => {
  const stored = await upload("page.html", "<script>alert(1)</script>");
  expect(stored.status).toBe(201);
  const { url } = stored.json<{ url: string }>();
  const served = await http(new URL(url, site).href);
  expect(served.status).toBe(200);
  expect(served.text).toBe("<script>alert(1)</script>");
  expect(served.headers.get("content-security-policy")).toContain("sandbox");
  expect(served.headers.get("content-disposition")).toMatch(/^attachment/);
});

it("refuses an upload over the size limit with 413", async () => {
  expect((await upload("big.bin", Buffer.alloc(MAX_UPLOAD_BYTES + 1))).status).toBe(413);
});

it("keeps the database's rows when the app and postgres containers are replaced", async () => {
  const psql = (sql: string) => stack.docker("exec", "webstack-db", "psql", "-U", "webstack", "-d", "webstack", "-tAc", sql);
  await stack.docker("exec", "webstack-app", "node", "dist/cli.js", "seed-db");
  expect(await psql("SELECT email FROM users")).toContain("michael@mherman.org");
  const idBefore = await stack.docker("inspect", "--format", "{{.Id}}", "webstack-db");

  await up(stack.stack, "--replace", await urnOf(stack.stack, CONTAINER, "webstack-app"), "--replace", await urnOf(stack.stack, CONTAINER, "webstack-postgres"));

  expect(await stack.docker("inspect", "--format", "{{.Id}}", "webstack-db")).not.toBe(idBefore);
  expect(await psql("SELECT email FROM users")).toContain("michael@mherman.org");
  expect((await http(site)).status).toBe(200);
});
