/**
 * The probe's image as the shared Dockerfile's `job` target builds it, replayed without
 * Docker (test-kit's replayDockerBuild), run by its ENTRYPOINT against the
 * service: from only what the runtime stage holds.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_SECRET_KEY } from "@container-labs/notification-cipher";
import { run, startService, replayNodeImage, type ReplayedImage, type ServiceProcess } from "@container-labs/test-kit";

const repo = join(__dirname, "..", "..", "..", "..");
let image: ReplayedImage;
let service: ServiceProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "probe-image-"));
  service = await startService("notifications-service", {
    script: join(repo, "images", "notifications", "notifications-service", "dist", "main.js"),
    args: ["--secret-key", EXAMPLE_SECRET_KEY],
  });
  // The probe serves no HTTP: the shared Dockerfile's `job` target, no port, no healthcheck.
  image = await replayNodeImage({ repoRoot: repo, service: "notifications/latency-probe", target: "job" });
}, 180000);

afterAll(async () => {
  await service?.stop();
  image?.remove();
  rmSync(dir, { recursive: true, force: true });
});

it("runs from its ENTRYPOINT, posts a fresh notification and appends the latency", async () => {
  expect(image.entrypoint).toEqual(["node", "--optimize-for-size", "dist/main.js"]);
  const file = join(dir, "latencies.txt");
  const probe = run("probe-image", process.execPath, {
    args: image.entrypoint.slice(1),
    cwd: image.workdir,
    env: { ...image.env, NOTIFICATIONS_URL: service.url("/api/notify"), OUTPUT_FILE: file, SECRET_KEY: EXAMPLE_SECRET_KEY },
  });
  const exit = await probe.exited;
  expect({ exit, output: exit.code === 0 ? "" : probe.output() }).toEqual({ exit: { code: 0, signal: null }, output: "" });
  const lines = readFileSync(file, "utf8").trim().split("\n");
  expect(lines).toHaveLength(1);
  // A fresh timestamp's latency: milliseconds on loopback, so under 1 s keeps far over 3x; a stale
  // timestamp (the example's, 2023) would read as years.
  expect(Number(lines[0])).toBeLessThan(1);
}, 30000);
