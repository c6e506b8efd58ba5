import type { Logger } from "@container-labs/service-kit";
import { waitForDatabase, withClient } from "./database";
import { ensureSchema, recreateSchema, seedUser } from "./schema";
import type { Profile } from "./settings";

/**
 * What the primary does to the database before any worker serves. Development
 * starts from a fresh, seeded schema, as the course's entrypoint ran create_db
 * when FLASK_ENV=development; production only creates what is missing and never
 * seeds (run `npm run seed-db` for that).
 */
export async function prepareDatabase(url: string, timeoutMs: number, profile: Profile, logger: Logger): Promise<void> {
  await waitForDatabase(url, timeoutMs, logger);
  await withClient(url, async (client) => {
    if (profile === "development") {
      await recreateSchema(client);
      await seedUser(client);
      logger.info("development profile: schema recreated and seeded");
    } else {
      await ensureSchema(client);
      logger.info("production profile: schema ensured");
    }
  });
}
