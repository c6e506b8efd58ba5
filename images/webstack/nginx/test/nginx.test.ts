import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { requestAsWritten, type Dependency } from "@container-labs/test-kit";
import { ACTIVE_EXTENSIONS } from "../../app/src/media-headers";
import { makeVolumes, upload, type Volumes } from "../../test/webstack";
import { startProjectNginx, startStack, type Stack } from "./stack";

const MAX_UPLOAD_BYTES = 64 * 1024;

describe("nginx with the project's config in front of the app", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ workers: 2, maxUploadBytes: MAX_UPLOAD_BYTES, clientMaxBodySize: "100k" });
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("proxies / to the app", async () => {
    const res = await fetch(stack.url("/"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: "world" });
  });

  it("serves /static/ itself from the static volume, with a cache lifetime the app does not set", async () => {
    const res = await fetch(stack.url("/static/hello.txt"));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/hello/);
    expect(res.headers.get("cache-control")).toBe("max-age=3600");
    const fromApp = await fetch(stack.app.url("/static/hello.txt"));
    expect(fromApp.headers.get("cache-control")).not.toBe("max-age=3600");
  });

  it("passes an upload to the app and then serves the stored file from the media volume", async () => {
    const content = `uploaded through nginx at ${Date.now()}`;
    const answer = await upload(stack.url(""), "through-nginx.txt", content);
    expect(answer).toMatchObject({ status: 201, body: { file: "through-nginx.txt", url: "/media/through-nginx.txt" } });
    const res = await fetch(stack.url("/media/through-nginx.txt"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(content);
    expect(res.headers.get("cache-control")).toBe("max-age=3600");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it.each(ACTIVE_EXTENSIONS)("serves an uploaded .%s file as a sandboxed download, never as a page of the site", async (extension) => {
    const answer = await upload(stack.url(""), `upload.${extension}`, "<script>alert(document.domain)</script>");
    expect(answer.status).toBe(201);
    const res = await fetch(stack.url(answer.body.url!));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe("attachment");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves an uploaded photo inline, sandboxed and never sniffed", async () => {
    const answer = await upload(stack.url(""), "photo.PNG", Buffer.from("89504e470d0a1a0a", "hex"));
    const res = await fetch(stack.url(answer.body.url!));
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses a body over client_max_body_size itself, with 413, before the app sees it", async () => {
    const answer = await upload(stack.url(""), "huge.bin", Buffer.alloc(200 * 1024));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatch(/<title>413 Request Entity Too Large<\/title>/);
  });

  it("passes on the app's own 413 for a file over MAX_UPLOAD_BYTES but within nginx's limit", async () => {
    const answer = await upload(stack.url(""), "big.bin", Buffer.alloc(MAX_UPLOAD_BYTES + 1024));
    expect(answer).toEqual({
      status: 413,
      location: null,
      body: { error: `the file is larger than the limit of ${MAX_UPLOAD_BYTES} bytes` },
    });
  });

  it("never serves hidden files from the volumes", async () => {
    writeFileSync(join(stack.volumes.mediaDir, ".upload-in-progress"), "half a file");
    expect((await fetch(stack.url("/media/.upload-in-progress"))).status).toBe(404);
  });

  it("answers its own health route", async () => {
    const res = await fetch(stack.url("/nginx-health"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("keeps serving static and media files with the app stopped, while / answers 502", async () => {
    await stack.app.stop();
    expect((await fetch(stack.url("/static/hello.txt"))).status).toBe(200);
    expect(await (await fetch(stack.url("/media/through-nginx.txt"))).text()).toMatch(/uploaded through nginx/);
    expect((await fetch(stack.url("/"))).status).toBe(502);
  });
});

describe("the headers nginx forwards", () => {
  let volumes: Volumes;
  let echo: Server;
  let nginx: Dependency;
  let received: IncomingHttpHeaders | undefined;

  beforeAll(async () => {
    volumes = makeVolumes();
    // A stand-in upstream that records what nginx sent; the app does not echo headers.
    echo = createServer((request, response) => {
      received = request.headers;
      response.end("ok");
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const address = echo.address();
    const port = typeof address === "object" && address ? address.port : 0;
    nginx = await startProjectNginx(`127.0.0.1:${port}`, volumes);
  });

  /** A GET with headers fetch() will not send (Host). */
  const getWith = async (path: string, headers: Record<string, string>): Promise<number> => (await requestAsWritten(`${nginx.url}${path}`, { headers })).status;

  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => echo?.close(resolve));
    volumes?.remove();
  });

  it("sets Host, X-Real-IP, X-Forwarded-For/Proto/Host and reuses upstream connections", async () => {
    expect(await getWith("/anything", { host: "photos.example:1337", "x-forwarded-for": "203.0.113.7" })).toBe(200);
    expect(received).toMatchObject({
      host: "photos.example",
      "x-real-ip": "127.0.0.1",
      "x-forwarded-for": "203.0.113.7, 127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "photos.example:1337",
    });
    expect(received?.connection).toBeUndefined();
  });
});
