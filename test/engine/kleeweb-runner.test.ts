/**
 * kleeweb's worker runs each job in a real sibling container through the
 * engine's socket (images/kleeweb/worker, DockerRunner), here with the KLEE
 * stand-in: the job's output comes back, and the job itself reports from
 * inside its container that it has no network but loopback and the memory
 * and CPU limits the worker set; the container is gone afterwards.
 * Needs the engine and the stand-ins: `scripts/test-engine.sh start && scripts/standins/build.sh`.
 */
import { createLogger } from "@container-labs/service-kit";
import { docker, requireEngine, requireStandins, type Engine, type Standin } from "@container-labs/test-kit";
import { DockerRunner } from "../../images/kleeweb/worker/src/docker-runner";

const MEMORY_BYTES = 256 * 1024 * 1024;
const CPU_SHARES = 256;

/** Prints what the job's container lets it see, then uses the KLEE API as a kleeweb job would. */
const JOB = String.raw`
#include <klee/klee.h>
#include <dirent.h>
#include <stdio.h>

static void show(const char *label, const char *path) {
  char line[128] = "";
  FILE *file = fopen(path, "r");
  if (file) { fgets(line, sizeof line, file); fclose(file); }
  printf("%s=%s", label, line);
}

int main(void) {
  DIR *interfaces = opendir("/sys/class/net");
  struct dirent *entry;
  printf("interfaces=");
  while ((entry = readdir(interfaces)) != NULL) if (entry->d_name[0] != '.') printf("%s ", entry->d_name);
  printf("\n");
  closedir(interfaces);
  show("memory", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
  show("cpushares", "/sys/fs/cgroup/cpu/cpu.shares");
  int x;
  klee_make_symbolic(&x, sizeof x, "x");
  if (x > 10) printf("big\n"); else printf("small\n");
  return 0;
}
`;

let engine: Engine;
let standins: Record<Standin, string>;

beforeAll(async () => {
  engine = await requireEngine();
  standins = await requireStandins(engine);
}, 60_000);

it("runs a job in a sibling container without network, within its memory and CPU limits, returns its output and removes the container", async () => {
  const runner = new DockerRunner(
    { socketPath: engine.socketPath, image: standins.klee, cpuShares: CPU_SHARES, memoryBytes: MEMORY_BYTES },
    "engine-test-worker",
    createLogger("kleeweb-runner-test", "warn"),
  );
  const jobId = `engine-test-${process.pid}`;
  const outcome = await runner.run({ id: jobId, source: JOB }, { timeoutSeconds: 60, maxOutputBytes: 64 * 1024 });

  expect({ exitCode: outcome.exitCode, timedOut: outcome.timedOut }).toEqual({ exitCode: 0, timedOut: false });
  const report = Object.fromEntries(outcome.output.split("\n").filter((line) => /^\w+=/.test(line)).map((line) => line.split("=") as [string, string]));
  expect(report).toEqual({ interfaces: "lo ", memory: String(MEMORY_BYTES), cpushares: String(CPU_SHARES) });
  // The stand-in says what it is, and the program ran on the concrete (zero) input.
  expect(outcome.output).toMatch(/KLEE stand-in: this is not KLEE/);
  expect(outcome.output).toMatch(/^small$/m);
  expect(await docker(engine, ["ps", "--all", "--quiet", "--filter", `label=kleeweb.job=${jobId}`])).toBe("");
}, 120_000);
