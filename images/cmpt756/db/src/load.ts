/**
 * The seeding step: `node dist/load.js <datastore-api-url>` posts the sample
 * users and songs in ../seed/ to POST /load as svc-loader (password from
 * SVC_LOADER_TOKEN), with their fixed uuids, so a rerun rewrites the same
 * objects instead of adding new ones. Exits 1 if any object was not stored.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, envString } from "@container-labs/service-kit";
import { runService } from "@container-labs/cmpt756-kit";
import { parseCsv } from "./csv";
import { LOADER_USER } from "./loader-auth";
import type { Objtype } from "./objtypes";

/** One CSV per objtype; every column becomes a field, the `uuid` column is the object's key. */
const SEED_FILES: ReadonlyArray<{ file: string; objtype: Objtype }> = [
  { file: "users.csv", objtype: "user" },
  { file: "music.csv", objtype: "music" },
];
const SEED_DIR = join(__dirname, "..", "seed");
/** The db container may still be starting when the seeding step runs. */
const WAIT_FOR_DB_MS = 30000;

async function waitForHealth(baseUrl: string): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_DB_MS;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl}/health did not answer within ${WAIT_FOR_DB_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

runService("cmpt756-loader", async () => {
  const target = process.argv[2];
  if (!target) throw new Error("usage: node dist/load.js <datastore-api-url>, e.g. http://db:30002/api/v1/datastore");
  const baseUrl = new URL(target).toString().replace(/\/+$/, "");
  const token = envString("SVC_LOADER_TOKEN");
  const logger = createLogger("cmpt756-loader");
  const authorization = `Basic ${Buffer.from(`${LOADER_USER}:${token}`).toString("base64")}`;
  await waitForHealth(baseUrl);
  let failures = 0;
  for (const { file, objtype } of SEED_FILES) {
    const rows = parseCsv(readFileSync(join(SEED_DIR, file), "utf8"), file);
    let loaded = 0;
    for (const row of rows) {
      const response = await fetch(`${baseUrl}/load`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ objtype, ...row }),
      });
      const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.ok && answer[`${objtype}_id`] === row.uuid) {
        loaded += 1;
        continue;
      }
      failures += 1;
      logger.error({ file, uuid: row.uuid, status: response.status, answer }, "object not loaded");
    }
    logger.info({ file, objtype, loaded, of: rows.length }, "seed file done");
  }
  if (failures > 0) throw new Error(`${failures} objects were not loaded`);
});
