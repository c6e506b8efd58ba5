/**
 * memory: every lab container's memory on the deployed ci stack, idle and
 * after a short load of its lab's own (bench/labLoads.ts), the six labs'
 * total, and in the same run two references on the node stand-in image (the
 * base of every Node image): an empty Node process and a one-route fastify
 * server, run as containers and measured alike. The figure is each
 * container's cgroup usage minus inactive file cache (bench/containerMemory.ts
 * says why). Then `npm run down`.
 *
 * Deploys the ci stack (`freshUp`): run it inside `flock /tmp/ci-stack.lock`,
 * after what the test command sets up (scripts/test-engine.sh start,
 * scripts/standins/build.sh, scripts/pulumi-toolchain.sh). BENCH_SETTLE_SECONDS
 * (default 60) is how long the stack sits before the idle figures,
 * BENCH_SECONDS (default 10) the length of each load.
 */
import {
  CI_STACK, REPO_ROOT, docker, freshUp, labsOk, labsOutput, prepareCiStack, requireStandins, sleep, type CiStack,
} from "@container-labs/test-kit";
import { LABELS } from "../policy/lib/labels";
import { readContainerMemory, type ContainerMemory } from "./containerMemory";
import { printTable, percentile, type Row } from "./harness";
import { LAB_LOADS } from "./labLoads";

/** Issue 25's targets. */
const TARGETS = { nodeIdleOverFastify: 1.15, stackIdleMiB: 1.5 * 1024 };
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 60);
/**
 * Idle figures are the median of this many reads 2 s apart: a read may fall
 * on a container's healthcheck, a second Node process for a moment.
 */
const IDLE_READS = 5;
const MiB = 1024 * 1024;

interface Container {
  name: string;
  lab: string;
  pid: number;
  /** Its main process is `node` (the image's entry point). */
  node: boolean;
}

interface InspectedContainer {
  Name: string;
  State: { Pid: number; Running: boolean };
  Config: { Labels: Record<string, string> | null; Entrypoint: string[] | null; Cmd: string[] | null };
}

async function inspect(stack: CiStack, filters: string[]): Promise<Container[]> {
  const ids = (await docker(stack.engine, ["ps", "--quiet", ...filters.flatMap((filter) => ["--filter", filter])])).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = JSON.parse(await docker(stack.engine, ["inspect", ...ids])) as InspectedContainer[];
  return inspected.filter((c) => c.State.Running).map((c) => ({
    name: c.Name.replace(/^\//, ""),
    lab: c.Config.Labels?.[LABELS.lab] ?? "",
    pid: c.State.Pid,
    node: (c.Config.Entrypoint ?? c.Config.Cmd ?? [])[0] === "node",
  })).sort((a, b) => a.lab.localeCompare(b.lab) || a.name.localeCompare(b.name));
}

/** The reference containers: on the node stand-in, without limits beyond the labs' default, no network. */
const REFERENCES = {
  "empty Node process": ["node", "-e", "setInterval(() => {}, 2 ** 30)"],
  "one-route fastify server": ["node", "bench/fixtures/fastify-one-route.js"],
} as const;
const REFERENCE_LABEL = "container-labs.bench=memory-reference";

async function startReferences(stack: CiStack): Promise<void> {
  const { node } = await requireStandins(stack.engine);
  for (const [what, command] of Object.entries(REFERENCES)) {
    await docker(stack.engine, [
      "run", "--detach", "--rm", "--label", REFERENCE_LABEL, "--network", "none", "--memory", "256m",
      "--volume", `${REPO_ROOT}:${REPO_ROOT}:ro`, "--workdir", REPO_ROOT, "--label", `container-labs.reference=${what}`,
      node, ...command,
    ]);
  }
}

async function removeReferences(stack: CiStack): Promise<void> {
  const ids = (await docker(stack.engine, ["ps", "--all", "--quiet", "--filter", `label=${REFERENCE_LABEL}`])).split("\n").filter(Boolean);
  if (ids.length > 0) await docker(stack.engine, ["rm", "--force", ...ids]);
}

async function referenceNames(stack: CiStack): Promise<Map<string, string>> {
  const lines = await docker(stack.engine, ["ps", "--filter", `label=${REFERENCE_LABEL}`, "--format", '{{.Names}}\t{{.Label "container-labs.reference"}}']);
  return new Map(lines.split("\n").filter(Boolean).map((line) => line.split("\t") as [string, string]));
}

type Reads = Map<string, ContainerMemory>;

function readAll(containers: Container[]): Reads {
  return new Map(containers.map((c) => [c.name, readContainerMemory(c.pid)]));
}

/** Each container's median working set over IDLE_READS reads (its peak and limit from the last). */
async function readIdle(containers: Container[]): Promise<Reads> {
  const reads: Reads[] = [];
  for (let i = 0; i < IDLE_READS; i++) {
    if (i > 0) await sleep(2000);
    reads.push(readAll(containers));
  }
  return new Map(containers.map((c) => {
    const last = reads[reads.length - 1].get(c.name)!;
    return [c.name, { ...last, workingSetBytes: percentile(reads.map((r) => r.get(c.name)!.workingSetBytes), 50) }];
  }));
}

const mib = (bytes: number | undefined): string => (bytes === undefined ? "-" : (bytes / MiB).toFixed(1));

export async function run(): Promise<void> {
  await freshUp();
  const stack = await prepareCiStack();
  try {
    await startReferences(stack);
    const labContainers = await inspect(stack, [`label=${LABELS.managedBy}=pulumi`, `label=${LABELS.stack}=${CI_STACK}`]);
    const references = await referenceNames(stack);
    const referenceContainers = await inspect(stack, [`label=${REFERENCE_LABEL}`]);
    await sleep(SETTLE_SECONDS * 1000);
    const idle = await readIdle([...labContainers, ...referenceContainers]);

    const labs = await labsOutput(stack);
    for (const [lab, loadLab] of Object.entries(LAB_LOADS)) {
      if (!labs[lab]) throw new Error(`the ci stack has no lab ${lab}; its labs: ${Object.keys(labs).join(", ")}`);
      await loadLab(labs[lab].urls);
    }
    await sleep(2000);
    const loaded = readAll(labContainers);

    const fastify = idle.get([...references].find(([, what]) => what === "one-route fastify server")![0])!.workingSetBytes;
    const nodeTarget = TARGETS.nodeIdleOverFastify * fastify;
    printTable("References on the node stand-in image, idle (MiB)", [...references].map(([name, what]) => ({
      reference: what, "idle MiB": mib(idle.get(name)!.workingSetBytes), container: name,
    })));

    const rows: Row[] = labContainers.map((c) => {
      const before = idle.get(c.name)!;
      const after = loaded.get(c.name)!;
      const target = c.node ? `<= ${mib(nodeTarget)} (${TARGETS.nodeIdleOverFastify} x fastify)` : "-";
      return {
        lab: c.lab,
        container: c.name,
        "idle MiB": mib(before.workingSetBytes),
        "after load MiB": mib(after.workingSetBytes),
        "peak MiB": mib(after.peakBytes),
        "limit MiB": mib(after.limitBytes),
        "limit / peak": after.limitBytes && after.peakBytes ? (after.limitBytes / after.peakBytes).toFixed(1) : "-",
        "idle target": target,
        met: c.node ? (before.workingSetBytes <= nodeTarget ? "yes" : "NO") : "-",
      };
    });
    const total = (reads: Reads) => labContainers.reduce((sum, c) => sum + reads.get(c.name)!.workingSetBytes, 0);
    rows.push({
      lab: "all six labs",
      container: `${labContainers.length} containers`,
      "idle MiB": mib(total(idle)),
      "after load MiB": mib(total(loaded)),
      "idle target": `<= ${TARGETS.stackIdleMiB}`,
      met: total(idle) / MiB <= TARGETS.stackIdleMiB ? "yes" : "NO",
    });
    printTable(
      `Lab containers on the ci stack: cgroup usage minus inactive file cache; idle = median of ${IDLE_READS} reads after ${SETTLE_SECONDS} s, after load = after each lab's own load (bench/labLoads.ts); peak = highest usage with page cache`,
      rows,
    );
  } finally {
    await removeReferences(stack);
    await labsOk(stack, ["down", "--stack", CI_STACK]);
  }
}
