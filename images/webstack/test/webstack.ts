/**
 * What the webstack tests (and the benchmark) share: the built app started as
 * a process against a real PostgreSQL, its two volumes as temp dirs, and
 * multipart bodies built byte by byte so file names reach the app exactly as written.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startService, type Postgres, type ServiceProcess } from "@container-labs/test-kit";

export const APP_DIR = resolve(__dirname, "..", "app");
export const APP_SCRIPT = join(APP_DIR, "dist", "main.js");
export const CLI_SCRIPT = join(APP_DIR, "dist", "cli.js");

/** The static and media volumes as world-readable temp dirs (nginx's workers run as another user). */
export interface Volumes {
  root: string;
  staticDir: string;
  mediaDir: string;
  remove(): void;
}

export function makeVolumes(): Volumes {
  const root = mkdtempSync(join(tmpdir(), "webstack-"));
  chmodSync(root, 0o755);
  const staticDir = join(root, "staticfiles");
  const mediaDir = join(root, "mediafiles");
  for (const dir of [staticDir, mediaDir]) mkdirSync(dir, { mode: 0o755 });
  return { root, staticDir, mediaDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface AppOptions {
  postgres: Postgres;
  database: string;
  volumes: Volumes;
  env?: Record<string, string>;
}

/** The app (primary and its workers) on a free port, once /health answers. */
export function startApp({ postgres, database, volumes, env }: AppOptions): Promise<ServiceProcess> {
  return startService("webstack-app", {
    script: APP_SCRIPT,
    env: {
      DATABASE_URL: postgres.urlFor(database),
      STATIC_DIR: volumes.staticDir,
      MEDIA_DIR: volumes.mediaDir,
      ...env,
    },
  });
}

export interface Multipart {
  body: Buffer;
  headers: Record<string, string>;
}

/** A multipart/form-data body with one file part in the field "file", its filename written verbatim. */
export function multipartFile(filename: string, content: Buffer | string, boundary = `----webstack${Date.now().toString(16)}`): Multipart {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

export interface UploadAnswer {
  status: number;
  location: string | null;
  body: { file?: string; url?: string; bytes?: number; error?: string };
}

/** The Accept headers browsers send when they submit a form (a navigation), as of 2025. */
export const BROWSER_ACCEPT = {
  chromium: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
  firefox: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
};

/** POSTs one file to `<baseUrl>/upload` (fetch's Accept is any type, as curl's). */
export async function upload(baseUrl: string, filename: string, content: Buffer | string): Promise<UploadAnswer> {
  const res = await postUpload(baseUrl, filename, content);
  const text = await res.text();
  let parsed: UploadAnswer["body"];
  try {
    parsed = JSON.parse(text) as UploadAnswer["body"];
  } catch {
    parsed = { error: text };
  }
  return { status: res.status, location: res.headers.get("location"), body: parsed };
}

/** POSTs one file to `<baseUrl>/upload` with `headers` added (e.g. a browser's Accept). */
export function postUpload(baseUrl: string, filename: string, content: Buffer | string, headers: Record<string, string> = {}): Promise<Response> {
  const multipart = multipartFile(filename, content);
  return fetch(`${baseUrl}/upload`, { method: "POST", body: multipart.body, headers: { ...multipart.headers, ...headers } });
}
