import { runService } from "@container-labs/cmpt756-kit";
import { createLogger, listen } from "@container-labs/service-kit";
import { buildApp } from "./app";
import { readSettings } from "./settings";
import { ObjectStore } from "./store";

runService("cmpt756-db", async () => {
  const settings = readSettings();
  const logger = createLogger("cmpt756-db", settings.logLevel);
  const store = new ObjectStore({ region: settings.region, endpoint: settings.endpoint });
  const app = buildApp({ logger, store, tableSuffix: settings.tableSuffix, loaderToken: settings.loaderToken });
  await listen(app, { port: settings.port, onClose: async () => store.close() });
});
