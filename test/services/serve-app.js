// Serves one lab service's app, built from its dist/ as its main builds it, on 127.0.0.1:$PORT,
// for test/services/wrong-method.test.ts. The dependencies it would call are stand-ins that throw
// when reached: the requests the test sends never reach them. Run by node, not jest: some of the
// services' dependencies are packages jest's module loader cannot load.
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const pino = require("pino");

const images = join(__dirname, "..", "..", "images");
const load = (path) => require(join(images, path));
const logger = pino({ level: "silent" });
const unused = (what) => new Proxy({}, { get: () => { throw new Error(`${what} was called`); } });
const front = { port: 0, logLevel: "silent", dbUrl: "http://127.0.0.1:9/api/v1/datastore", dbTimeoutMs: 1000, dbConnections: 1, jwtSecret: "s".repeat(32) };
const lesson = { logger, lessonDelayMs: 0, queueLimit: 1, queueLimitPerClient: 1 };

const BUILDERS = {
  "cmpt756/s1": () => load("cmpt756/s1/dist/app").buildApp({ ...front, tokenTtlSeconds: 60 }, logger),
  "cmpt756/s2": () => load("cmpt756/s2/dist/app").buildApp(front, logger),
  "cmpt756/db": () => load("cmpt756/db/dist/app").buildApp({ logger, store: unused("the store"), tableSuffix: "test" }),
  "dockercoins/hasher": () => load("dockercoins/hasher/dist/app").buildHasherApp(lesson),
  "dockercoins/rng": () => load("dockercoins/rng/dist/app").buildRngApp(lesson),
  "dockercoins/webui": () => load("dockercoins/webui/dist/app").buildWebuiApp(logger, unused("redis")),
  "dockercoins/worker": () => load("dockercoins/worker/dist/app").buildWorkerApp(logger, new (load("dockercoins/worker/dist/tally").Tally)()),
  "notifications/notifications-service": async () =>
    (await load("notifications/notifications-service/dist/app").buildApp({ secretKey: Buffer.alloc(32, "k"), externalIp: "127.0.0.1", port: 0 }, logger)).app,
  "webstack/app": () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-app-"));
    return load("webstack/app/dist/app").buildApp({ logger, pool: unused("the pool"), staticDir: dir, mediaDir: dir, maxUploadBytes: 1024, quota: unused("the quota") });
  },
};

async function main() {
  const build = BUILDERS[process.argv[2]];
  if (!build) throw new Error(`no service ${process.argv[2]}: one of ${Object.keys(BUILDERS).join(", ")}`);
  const app = await build();
  await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
  process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
