import { createLogger, listen } from "@container-labs/service-kit";
import { closeRedis, connectRedis, runMain } from "@container-labs/dockercoins-kit";
import { buildWebuiApp } from "./app";
import { readWebuiSettings } from "./settings";

runMain("webui", async () => {
  const settings = readWebuiSettings();
  const logger = createLogger("webui", settings.logLevel);
  const redis = connectRedis(settings.redisUrl, logger);
  await listen(buildWebuiApp(logger, redis), { port: settings.port, onClose: () => closeRedis(redis) });
});
