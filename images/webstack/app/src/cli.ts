import { createLogger } from "@container-labs/service-kit";
import type { Client } from "pg";
import { redactUrl, waitForDatabase, withClient } from "./database";
import { ensureSchema, recreateSchema, SEED_EMAIL, seedUser } from "./schema";
import { readDatabaseSettings } from "./settings";

interface Command {
  describe: string;
  /** Does the work and says what it did. */
  run(client: Client): Promise<string>;
}

/** The course's `manage.py` commands, for `docker exec` or a one-off container. */
const COMMANDS: Record<string, Command> = {
  "create-db": {
    describe: "drop and recreate the users table",
    run: async (client) => (await recreateSchema(client), "users table recreated"),
  },
  "ensure-db": {
    describe: "create the users table if it is missing; keeps data",
    run: async (client) => (await ensureSchema(client), "users table present"),
  },
  "seed-db": {
    describe: `add the seed user ${SEED_EMAIL} unless present`,
    run: async (client) => ((await seedUser(client)) ? `added ${SEED_EMAIL}` : `${SEED_EMAIL} already present`),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.describe}`);
  return ["usage: node dist/cli.js <command>", ...lines].join("\n");
}

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || !Object.hasOwn(COMMANDS, name)) {
    console.error(name ? `unknown command: ${name}\n${usage()}` : usage());
    return 2;
  }
  const logger = createLogger("webstack-cli", "info");
  let settings;
  try {
    settings = readDatabaseSettings();
  } catch (err) {
    logger.fatal((err as Error).message);
    return 1;
  }
  try {
    await waitForDatabase(settings.databaseUrl, settings.dbWaitTimeoutMs, logger);
    const outcome = await withClient(settings.databaseUrl, (client) => COMMANDS[name].run(client));
    logger.info({ command: name, database: redactUrl(settings.databaseUrl) }, outcome);
    return 0;
  } catch (err) {
    logger.fatal({ command: name }, (err as Error).message);
    return 1;
  }
}

void main().then((code) => process.exit(code));
