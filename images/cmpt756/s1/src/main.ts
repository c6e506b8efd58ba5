import { runService } from "@container-labs/cmpt756-kit";
import { createLogger, listen } from "@container-labs/service-kit";
import { buildApp } from "./app";
import { readSettings } from "./settings";

runService("cmpt756-s1", async () => {
  const settings = readSettings();
  const logger = createLogger("cmpt756-s1", settings.logLevel);
  await listen(buildApp(settings, logger), { port: settings.port });
});
