/**
 * The media quota (MEDIA_QUOTA_BYTES): the workers together never keep more
 * than it; over it, an upload is refused with 507 naming the limit, and
 * nothing of it is kept.
 */
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type Postgres, type ServiceProcess } from "@container-labs/test-kit";
import { BROWSER_ACCEPT, makeVolumes, postUpload, startApp, upload, type Volumes } from "../../test/webstack";

const QUOTA_BYTES = 10 * 1024;
const FILE_BYTES = 1024;

let postgres: Postgres;
let volumes: Volumes;
let app: ServiceProcess;

/** The bytes of the visible files in the media directory: what the quota counts. */
function storedBytes(): number {
  return readdirSync(volumes.mediaDir)
    .filter((name) => !name.startsWith("."))
    .reduce((total, name) => total + statSync(join(volumes.mediaDir, name)).size, 0);
}

beforeAll(async () => {
  postgres = await startPostgres();
  postgres.createDatabase("webstack");
  volumes = makeVolumes();
  // Files already in the volume count against the quota from the start.
  writeFileSync(join(volumes.mediaDir, "already-here.bin"), Buffer.alloc(2 * FILE_BYTES));
  app = await startApp({
    postgres,
    database: "webstack",
    volumes,
    env: { MEDIA_QUOTA_BYTES: String(QUOTA_BYTES), WEB_CONCURRENCY: "3" },
  });
}, 60000);

afterAll(async () => {
  await app?.stop();
  await postgres?.stop();
  volumes?.remove();
});

test("parallel uploads across three workers fill the quota exactly; the rest are refused with 507 naming the limit", async () => {
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => upload(app.url(""), `file-${i}.bin`, Buffer.alloc(FILE_BYTES, i))));
  const kept = answers.filter((answer) => answer.status === 201);
  const refused = answers.filter((answer) => answer.status === 507);
  expect(kept).toHaveLength(8);
  expect(refused).toHaveLength(12);
  expect(refused[0].body.error).toMatch(
    new RegExp(`^the media quota of ${QUOTA_BYTES} bytes \\(MEDIA_QUOTA_BYTES\\) is full: \\d+ bytes are used and this file needs ${FILE_BYTES} more`),
  );
  expect(storedBytes()).toBe(QUOTA_BYTES);
  expect(readdirSync(volumes.mediaDir).filter((name) => name.startsWith("."))).toEqual([]);
});

test("a browser is told on the page", async () => {
  const res = await postUpload(app.url(""), "one-more.txt", "x", { accept: BROWSER_ACCEPT.firefox });
  expect(res.status).toBe(507);
  expect(await res.text()).toContain(`Not uploaded: the media quota of ${QUOTA_BYTES} bytes (MEDIA_QUOTA_BYTES) is full`);
});

test("space freed by removing files is found again", async () => {
  rmSync(join(volumes.mediaDir, "already-here.bin"));
  // The ledger measures the disk again after a refusal, at most every 5 s.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await upload(app.url(""), `after-cleanup-${i}.bin`, Buffer.alloc(FILE_BYTES)));
  expect(answers.map((answer) => answer.status)).toEqual([201, 201, 507]);
  expect(storedBytes()).toBe(QUOTA_BYTES);
});
