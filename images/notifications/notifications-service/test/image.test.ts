/**
 * The image as the shared Dockerfile builds it, replayed without Docker (see
 * test-kit's replayNodeImage): built from only what the Dockerfile copies,
 * started by its ENTRYPOINT from only what the runtime stage holds.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { EXAMPLE_BODY, EXAMPLE_SECRET_KEY } from "@container-labs/notification-cipher";
import { freePort, httpOk, run, waitFor, replayNodeImage, type ReplayedImage, type RunningProcess } from "@container-labs/test-kit";

const repo = join(__dirname, "..", "..", "..", "..");
let image: ReplayedImage;
let container: RunningProcess | undefined;

beforeAll(async () => {
  image = await replayNodeImage({ repoRoot: repo, service: "notifications/notifications-service", buildArgs: { PORT: "3000", HEALTH_PATH: "/health" } });
}, 180000);

afterAll(async () => {
  await container?.stop();
  image?.remove();
});

it("starts from its ENTRYPOINT with the course's flags, answers the assignment's request, and passes its HEALTHCHECK", async () => {
  expect(image.entrypoint).toEqual(["node", "--optimize-for-size", "dist/main.js"]);
  expect(image.env).toMatchObject({ NODE_ENV: "production", HEALTHCHECK_PORT: "3000", HEALTHCHECK_PATH: "/health" });
  // The runtime stage carries no sources or tests, only what runs.
  expect(require("node:fs").existsSync(join(image.workdir, "test"))).toBe(false);

  const port = await freePort();
  container = run("image", process.execPath, {
    args: [...image.entrypoint.slice(1), "--secret-key", EXAMPLE_SECRET_KEY],
    cwd: image.workdir,
    env: { ...image.env, PORT: String(port) },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the replayed image's service", async () => {
    if (!container?.running) throw new Error(`exited: ${container?.output()}`);
    return httpOk(`${base}/health`);
  });

  const res = await fetch(`${base}/api/notify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(EXAMPLE_BODY) });
  expect(res.status).toBe(200);
  expect(Number(await res.text())).toBeGreaterThan(0);
  // Swagger UI's static files come from the runtime stage's node_modules.
  expect((await fetch(`${base}/static/swagger-ui.css`)).status).toBe(200);

  const healthcheck = await promisify(execFile)(process.execPath, [image.path("/app/packages/service-kit/dist/healthcheck.js")], {
    env: { ...image.env, PORT: String(port) },
  });
  expect(healthcheck.stderr).toBe("");
}, 30000);
