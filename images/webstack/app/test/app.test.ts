import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { dirname, join } from "node:path";
import { requestAsWritten, startPostgres, waitFor, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { FRAMING_ALLOWANCE_BYTES } from "../src/whole-request";
import { BROWSER_ACCEPT, makeVolumes, postUpload, startApp, upload, type Volumes } from "../../test/webstack";

const MAX_UPLOAD_BYTES = 64 * 1024;

let postgres: Postgres;
let volumes: Volumes;
let app: ServiceProcess;

beforeAll(async () => {
  postgres = await startPostgres();
  postgres.createDatabase("webstack");
  volumes = makeVolumes();
  app = await startApp({ postgres, database: "webstack", volumes, env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
}, 60000);

afterAll(async () => {
  await app?.stop();
  await postgres?.stop();
  volumes?.remove();
});

/**
 * The answers to `paths` that were not a refusal (400, 403 or 404) or that
 * carried any of `contents`. Each path is sent as written: fetch would
 * resolve its dot segments before the server saw them.
 */
async function servedAnyway(paths: string[], contents: string[]) {
  const answers = await Promise.all(paths.map(async (path) => ({ path, ...(await requestAsWritten(app.url(""), { path })) })));
  return answers.filter(({ status, body }) => ![400, 403, 404].includes(status) || contents.some((content) => body.includes(content)));
}

describe("the course's routes", () => {
  it("GET / answers {hello: world}", async () => {
    const res = await fetch(app.url("/"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: "world" });
  });

  it("GET /upload answers an HTML form posting a file field to /upload", async () => {
    const res = await fetch(app.url("/upload"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<form action="\/upload" method="post" enctype="multipart\/form-data">/);
    expect(html).toMatch(/<input type="file" name="file">/);
  });

  it("serves the image's static files, copied into STATIC_DIR at start", async () => {
    expect(readFileSync(join(volumes.staticDir, "hello.txt"), "utf8")).toMatch(/hello/);
    const res = await fetch(app.url("/static/hello.txt"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync(join(volumes.staticDir, "hello.txt"), "utf8"));
  });

  it("answers 404 for a missing static or media file", async () => {
    expect((await fetch(app.url("/static/nope.txt"))).status).toBe(404);
    expect((await fetch(app.url("/media/nope.txt"))).status).toBe(404);
  });

  it("/health answers while the process serves; /ready once the database answers", async () => {
    expect(await (await fetch(app.url("/health"))).json()).toEqual({ status: "ok" });
    expect(await (await fetch(app.url("/ready"))).json()).toEqual({ status: "ready" });
  });

  it("/metrics counts the requests of the worker that answers it, per route", async () => {
    const counted = /http_requests_total\{method="GET",route="\/",status_code="200"\} [1-9]/;
    // Each worker keeps its own counts, and which worker answers is the primary's choice: ask until one has served /.
    await waitFor("a worker's metrics to count GET /", async () => {
      await (await fetch(app.url("/"))).arrayBuffer();
      return counted.test(await (await fetch(app.url("/metrics"))).text());
    }, { timeoutMs: 5000 });
  });
});

describe("uploads", () => {
  it("stores a posted file in MEDIA_DIR and serves it back at /media/<name>", async () => {
    const content = `a photo, ${Date.now()}`;
    const answer = await upload(app.url(""), "photo.jpg", content);
    expect(answer).toEqual({
      status: 201,
      location: "/media/photo.jpg",
      body: { file: "photo.jpg", url: "/media/photo.jpg", bytes: content.length },
    });
    expect(readFileSync(join(volumes.mediaDir, "photo.jpg"), "utf8")).toBe(content);
    const served = await fetch(app.url("/media/photo.jpg"));
    expect(await served.text()).toBe(content);
  });

  it("never overwrites: a second file of the same name gets a new name and both are kept", async () => {
    const first = await upload(app.url(""), "twice.txt", "first");
    const second = await upload(app.url(""), "twice.txt", "second");
    expect(first.body.file).toBe("twice.txt");
    expect(second.body.file).toBe("twice-1.txt");
    expect(readFileSync(join(volumes.mediaDir, "twice.txt"), "utf8")).toBe("first");
    expect(readFileSync(join(volumes.mediaDir, "twice-1.txt"), "utf8")).toBe("second");
  });

  it("keeps parallel uploads of one name apart, across workers", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(app.url(""), "race.bin", `copy ${i}`)));
    const names = answers.map((answer) => answer.body.file);
    expect(new Set(names).size).toBe(6);
    const contents = names.map((name) => readFileSync(join(volumes.mediaDir, name!), "utf8")).sort();
    expect(contents).toEqual(Array.from({ length: 6 }, (_, i) => `copy ${i}`).sort());
  });

  it.each([
    ["../../escaped.txt", "escaped.txt"],
    ["/tmp/absolute.txt", "absolute.txt"],
    ["nul\u0000byte.txt", "nulbyte.txt"],
    [".hidden", "hidden"],
  ])("stores %j inside MEDIA_DIR as %j", async (clientName, storedName) => {
    const answer = await upload(app.url(""), clientName, "payload");
    expect(answer.status).toBe(201);
    expect(answer.body.file).toBe(storedName);
    expect(readFileSync(join(volumes.mediaDir, storedName), "utf8")).toBe("payload");
  });

  it("writes nothing outside MEDIA_DIR and leaves no temporary files", async () => {
    await upload(app.url(""), "../outside.txt", "payload");
    expect(existsSync(join(dirname(volumes.mediaDir), "outside.txt"))).toBe(false);
    expect(existsSync("/tmp/absolute.txt")).toBe(false);
    expect(readdirSync(volumes.mediaDir).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("serves nothing outside each mount's own directory, however the path is spelled", async () => {
    writeFileSync(join(volumes.root, "beside.txt"), "BESIDE-BOTH-VOLUMES");
    writeFileSync(join(volumes.mediaDir, "upload.txt"), "AN-UPLOAD");
    const escapes = [
      "/static/../beside.txt",
      "/static/..%2fbeside.txt",
      "/static/%2e%2e/beside.txt",
      "/static/%2e%2e%2fmediafiles%2fupload.txt",
      "/static/..%5cbeside.txt",
      "/media/..%2fbeside.txt",
      "/media/%2e%2e/staticfiles/hello.txt",
      "/media/x/..%2f..%2fbeside.txt",
    ];
    const contents = ["BESIDE-BOTH-VOLUMES", "AN-UPLOAD", readFileSync(join(volumes.staticDir, "hello.txt"), "utf8")];
    expect(await servedAnyway(escapes, contents)).toEqual([]);
  });

  it("never serves hidden files from the media volume, however the path is spelled", async () => {
    writeFileSync(join(volumes.mediaDir, ".secret"), "HIDDEN-UPLOAD");
    const spellings = ["/media/.secret", "/media/%2esecret", "/media/./.secret", "/media//.secret", "/media/x/../.secret", "/media/x/..%2f.secret"];
    expect(await servedAnyway(spellings, ["HIDDEN-UPLOAD"])).toEqual([]);
  });

  it("refuses a file over MAX_UPLOAD_BYTES with 413 and keeps nothing of it", async () => {
    const before = readdirSync(volumes.mediaDir);
    const answer = await upload(app.url(""), "big.bin", Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe(`the file is larger than the limit of ${MAX_UPLOAD_BYTES} bytes`);
    expect(readdirSync(volumes.mediaDir)).toEqual(before);
  });

  it("accepts a file of exactly MAX_UPLOAD_BYTES", async () => {
    const answer = await upload(app.url(""), "exact.bin", Buffer.alloc(MAX_UPLOAD_BYTES, 2));
    expect(answer.status).toBe(201);
    expect(answer.body.bytes).toBe(MAX_UPLOAD_BYTES);
  });

  it("answers 415 to a body that is not multipart and 400 to a form without a file field", async () => {
    const json = await fetch(app.url("/upload"), { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append("note", "no file here");
    const noFile = await fetch(app.url("/upload"), { method: "POST", body: form });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toEqual({ error: 'the form has no file in a field named "file"' });
  });

  it.each([
    ["within", 0, "keep-alive"],
    ["past", 1, "close"],
  ])("refuses a text body %s MAX_UPLOAD_BYTES + 1 MiB with 415 once it has read it, and answers connection: %s", async (_case, extra, connection) => {
    // nginx streams a body as it arrives: an answer before its end (fastify's own 413 past 1 MiB) broke the exchange.
    const agent = new Agent({ keepAlive: true });
    try {
      const body = Buffer.alloc(MAX_UPLOAD_BYTES + FRAMING_ALLOWANCE_BYTES + extra, "a");
      const answer = await requestAsWritten(app.url("/upload"), { method: "POST", headers: { "content-type": "text/plain" }, body, agent });
      expect(answer.status).toBe(415);
      expect(answer.headers.connection).toBe(connection);
    } finally {
      agent.destroy();
    }
  });

  it.each([
    ["breaks off in the middle of the file", "multipart/form-data; boundary=xyz", '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi'],
    ["has no boundary parameter", "multipart/form-data", "--xyz\r\n\r\n--xyz--\r\n"],
  ])("answers 400 naming the problem to a multipart body that %s, and keeps nothing", async (_case, contentType, body) => {
    const before = readdirSync(volumes.mediaDir);
    const res = await fetch(app.url("/upload"), { method: "POST", body, headers: { "content-type": contentType } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^the multipart body is malformed: \S/);
    expect(readdirSync(volumes.mediaDir)).toEqual(before);
  });

  it.each([
    ["declares a boundary the body never contains", "this is not a multipart body at all"],
    ["ends inside the headers of its only part", '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"'],
  ])("answers 400 to a multipart body that %s: no file can be read from it", async (_case, body) => {
    const res = await fetch(app.url("/upload"), { method: "POST", body, headers: { "content-type": "multipart/form-data; boundary=xyz" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'the form has no file in a field named "file"' });
  });

  it("is still serving after all of that", async () => {
    expect(app.running).toBe(true);
    expect((await fetch(app.url("/"))).status).toBe(200);
  });
});

describe("a browser that submits the form gets a page back; API clients keep JSON", () => {
  it.each(Object.entries(BROWSER_ACCEPT))("%s's form post gets the form again, saying where the file went", async (browser, accept) => {
    const res = await postUpload(app.url(""), `from-${browser}.txt`, "hello", { accept });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toMatch(/<form action="\/upload" method="post" enctype="multipart\/form-data">/);
    expect(html).toContain(`Uploaded <a href="/media/from-${browser}.txt">from-${browser}.txt</a> (5 bytes).`);
  });

  it("a refused upload is explained on the page, with the refusal's status", async () => {
    const res = await postUpload(app.url(""), "big.bin", Buffer.alloc(MAX_UPLOAD_BYTES + 1), { accept: BROWSER_ACCEPT.chromium });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain(`Not uploaded: the file is larger than the limit of ${MAX_UPLOAD_BYTES} bytes`);
  });

  it.each([
    ["curl, fetch and Python requests (any type)", "*/*"],
    ["an API client that asks for JSON", "application/json"],
    ["one that takes JSON before HTML", "application/json, text/html;q=0.9"],
  ])("%s gets the 201 JSON", async (_client, accept) => {
    const res = await postUpload(app.url(""), "api.txt", "data", { accept });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ file: expect.stringMatching(/^api(-\d+)?\.txt$/), url: expect.stringMatching(/^\/media\/api/), bytes: 4 });
  });
});

describe("uploads are served so they can never act as a page of this site", () => {
  it.each(["page.html", "page.htm", "drawing.svg", "feed.xml", "page.xhtml"])("%s is a download, sandboxed and never sniffed", async (name) => {
    const stored = await upload(app.url(""), name, "<script>alert(document.domain)</script>");
    const res = await fetch(app.url(stored.body.url!));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe("attachment");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("a photo is shown inline, still sandboxed and never sniffed", async () => {
    const stored = await upload(app.url(""), "photo.png", Buffer.from("89504e470d0a1a0a", "hex"));
    const res = await fetch(app.url(stored.body.url!));
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
