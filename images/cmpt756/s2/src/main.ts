import { readFrontSettings, runService } from "@container-labs/cmpt756-kit";
import { createLogger, listen } from "@container-labs/service-kit";
import { buildApp } from "./app";

runService("cmpt756-s2", async () => {
  const settings = readFrontSettings(30001);
  const logger = createLogger("cmpt756-s2", settings.logLevel);
  await listen(buildApp(settings, logger), { port: settings.port });
});
