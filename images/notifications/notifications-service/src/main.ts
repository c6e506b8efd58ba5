#!/usr/bin/env node
/** notifications-service: `node dist/main.js --secret-key <32 chars> [--external-ip <host>]`. */
import { LOG_LEVELS, createLogger, envChoice, listen } from "@container-labs/service-kit";
import { USAGE, readConfig } from "./config";
import { buildApp } from "./app";

async function main(): Promise<void> {
  const logger = createLogger("notifications-service", "info");
  let config;
  try {
    logger.level = envChoice("LOG_LEVEL", LOG_LEVELS, "info");
    config = readConfig(process.argv.slice(2));
  } catch (err) {
    logger.fatal({ err }, `cannot start: ${(err as Error).message}`);
    console.error(`\n${USAGE}`);
    process.exit(2);
  }
  if (!config) {
    console.log(USAGE);
    return;
  }
  const { app, store } = await buildApp(config, logger);
  const port = await listen(app, { port: config.port, onClose: store?.close });
  logger.info(
    { port, external_ip: config.externalIp, token_key: config.tokenPublicKey !== undefined, database: store !== undefined },
    "notifications-service listening; API under /api",
  );
  // Make the course's table now, so a problem with the database shows at start; inserts retry it until it works.
  store?.prepare().catch((err: unknown) => logger.warn({ err }, "cannot prepare table demo.notification yet; will retry on the next insert"));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
