/**
 * demo-2 as processes: a long-lived tailer and a short-lived appender share
 * one data directory, as the two containers share the t2v volume (or the host
 * bind mount). DATA_DIR points both at a temp dir instead of /usr/src/data.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, sleep, waitFor, type RunningProcess } from "@container-labs/test-kit";

const MAIN = join(__dirname, "..", "dist", "main.js");

let dataDir: string;
let saveFile: string;
const started: RunningProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "volume-writer-"));
  saveFile = join(dataDir, "save_file");
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((proc) => proc.stop("SIGKILL")));
  rmSync(dataDir, { recursive: true, force: true });
});

function volumeWriter(...args: string[]): RunningProcess {
  const proc = run("volume-writer", process.execPath, { args: [MAIN, ...args], env: { DATA_DIR: dataDir } });
  started.push(proc);
  return proc;
}

const outputLines = (proc: RunningProcess): string[] => proc.output().split("\n").filter(Boolean);

async function waitForLine(proc: RunningProcess, line: string): Promise<void> {
  await waitFor(`"${line}" from ${proc.name}`, () => outputLines(proc).includes(line), { timeoutMs: 5000 });
}

describe("the tailing container (no arguments)", () => {
  it('writes "first line" into an empty volume\'s save_file and prints it', async () => {
    const tailer = volumeWriter();
    await waitForLine(tailer, "first line");
    expect(outputLines(tailer)).toEqual([`reading ${saveFile}`, "first line"]);
    expect(readFileSync(saveFile, "utf8")).toBe("first line\n");
  });

  it("keeps what a volume already holds, as a new container on an old volume should", async () => {
    writeFileSync(saveFile, "first line\nsharing\n");
    const tailer = volumeWriter("tail");
    await waitForLine(tailer, "sharing");
    expect(outputLines(tailer)).toEqual([`reading ${saveFile}`, "first line", "sharing"]);
    expect(readFileSync(saveFile, "utf8")).toBe("first line\nsharing\n");
  });

  it.each(["SIGTERM", "SIGINT"] as const)("exits 0 on %s, saying it is terminating", async (signal) => {
    const tailer = volumeWriter();
    await waitForLine(tailer, "first line");
    expect(await tailer.stop(signal)).toEqual({ code: 0, signal: null });
    expect(outputLines(tailer)).toContain("terminating");
  });
});

describe("the appending container (append <text...>)", () => {
  it("appends its words as one line and exits 0; the tailer prints that line", async () => {
    const tailer = volumeWriter();
    await waitForLine(tailer, "first line");

    const appender = volumeWriter("append", "hello", "from", "the", "second", "container");
    expect(await appender.exited).toEqual({ code: 0, signal: null });

    await waitForLine(tailer, "hello from the second container");
    expect(readFileSync(saveFile, "utf8")).toBe("first line\nhello from the second container\n");
  });

  it("exits 2 with its usage when given no text", async () => {
    const appender = volumeWriter("append");
    expect(await appender.exited).toEqual({ code: 2, signal: null });
    expect(appender.output()).toContain("usage: main.js [tail] | main.js append <text...>");
  });
});

describe("following the file", () => {
  it("prints a line only once its newline is written", async () => {
    const tailer = volumeWriter();
    await waitForLine(tailer, "first line");
    appendFileSync(saveFile, "half");
    await sleep(700); // longer than the poll interval
    expect(outputLines(tailer)).toEqual([`reading ${saveFile}`, "first line"]);
    appendFileSync(saveFile, " done\n");
    await waitForLine(tailer, "half done");
  });

  it("reads a truncated file again from its start", async () => {
    const tailer = volumeWriter();
    await waitForLine(tailer, "first line");
    writeFileSync(saveFile, "new\n");
    await waitForLine(tailer, "new");
  });
});
