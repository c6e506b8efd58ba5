/**
 * demo-1 as processes: what the exec-form and the shell-form images do with
 * their arguments and with docker stop's SIGTERM. A container's first process
 * is PID 1 of a new PID namespace; `unshare --pid --fork` gives the same here,
 * so the PID 1 tests show what `docker stop` meets. The shell is Debian
 * bookworm's /bin/sh (dash 0.5.12), the same as in the image's node base.
 */
import { join } from "node:path";
import { isAlive, run, waitFor, type RunningProcess } from "@container-labs/test-kit";
import { childPids, commandLine, pidInItsNamespace } from "./process-tree";

const MAIN = join(__dirname, "..", "dist", "main.js");
const CMD = ["hello", "this", "is", "CMD"];
/** Docker's shell form: ENTRYPOINT `node dist/main.js` becomes `/bin/sh -c "<it>" <CMD...>`. */
const SHELL_FORM = ["/bin/sh", "-c", `node ${MAIN}`, ...CMD];
/** Runs the rest of the command line as PID 1 of a new PID namespace, as a container does; --kill-child takes the namespace down with it. */
const AS_PID_1 = ["--pid", "--fork", "--kill-child"];

const started: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((proc) => proc.stop("SIGKILL")));
});

function start(command: string, args: string[]): RunningProcess {
  const proc = run("signals", command, { args });
  started.push(proc);
  return proc;
}

const outputLines = (proc: RunningProcess): string[] => proc.output().split("\n").filter(Boolean);
const lastCount = (proc: RunningProcess): number => Math.max(...outputLines(proc).filter((line) => /^\d+$/.test(line)).map(Number));

async function waitForCount(proc: RunningProcess, count: number): Promise<void> {
  await waitFor(`the counter to reach ${count}`, () => lastCount(proc) >= count, { timeoutMs: (count + 2) * 1000 });
}

/** The one child of `pid`, waiting until it has been forked. */
async function onlyChild(pid: number): Promise<number> {
  await waitFor(`a child of pid ${pid}`, () => childPids(pid).length > 0, { timeoutMs: 5000 });
  const [child, ...others] = childPids(pid);
  expect(others).toEqual([]);
  return child;
}

describe("exec form: ENTRYPOINT [\"node\", \"dist/main.js\"]", () => {
  it("prints the arguments it is given, then counts once a second", async () => {
    const proc = start(process.execPath, [MAIN, ...CMD]);
    await waitForCount(proc, 1);
    expect(outputLines(proc).slice(0, 4)).toEqual(["Starting", 'arguments: ["hello","this","is","CMD"]', "0", "1"]);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("exits 0 within a second of %s, saying so", async (signal) => {
    const proc = start(process.execPath, [MAIN]);
    await waitForCount(proc, 0);
    const sentAt = Date.now();
    const exit = await proc.stop(signal);
    // The time is the lesson: a process that handles the signal exits in milliseconds, one that ignores
    // it waits for `docker stop`'s kill after 10 s. 1 s keeps far over 3x and a tenth of the other.
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(outputLines(proc)).toContain(`received ${signal}, exiting`);
  });

  it("as PID 1, still stops at once on SIGTERM: node handles the signal itself", async () => {
    const unshare = start("unshare", [...AS_PID_1, process.execPath, MAIN, ...CMD]);
    const node = await onlyChild(unshare.child.pid!);
    expect(pidInItsNamespace(node)).toBe(1);
    await waitForCount(unshare, 0);
    process.kill(node, "SIGTERM");
    await waitFor("node to exit", () => !isAlive(node), { timeoutMs: 1000 });
    expect(outputLines(unshare)).toContain("received SIGTERM, exiting");
  });
});

describe("shell form: ENTRYPOINT node dist/main.js, run as /bin/sh -c", () => {
  /** The shell-form container: unshare -> sh (PID 1) -> node. */
  async function startShellFormContainer(): Promise<{ container: RunningProcess; shell: number; node: number }> {
    const container = start("unshare", [...AS_PID_1, ...SHELL_FORM]);
    const shell = await onlyChild(container.child.pid!);
    const node = await onlyChild(shell);
    await waitForCount(container, 0);
    return { container, shell, node };
  }

  it("gives node none of the CMD arguments: they become the shell's $0..$3", async () => {
    const { container } = await startShellFormContainer();
    expect(outputLines(container).slice(0, 2)).toEqual(["Starting", "arguments: []"]);
  });

  it("keeps the shell as PID 1 and node's parent: dash forks node rather than exec'ing it", async () => {
    const { shell, node } = await startShellFormContainer();
    expect(pidInItsNamespace(shell)).toBe(1);
    expect(commandLine(shell)).toBe(SHELL_FORM.join(" "));
    expect(commandLine(node)).toBe(`node ${MAIN}`);
  });

  it("ignores SIGTERM and never passes it to node: only SIGKILL ends it, so docker stop waits out its grace period", async () => {
    const { container, shell } = await startShellFormContainer();
    const countAtSigterm = lastCount(container);
    process.kill(shell, "SIGTERM");
    await waitForCount(container, countAtSigterm + 2);
    expect(isAlive(shell)).toBe(true);
    expect(container.output()).not.toContain("received SIGTERM");

    // What docker stop does once the grace period is over.
    process.kill(shell, "SIGKILL");
    await container.exited;
    expect(container.output()).not.toContain("exiting");
  });

  it("outside a container, SIGTERM kills the shell but not node, which is orphaned and keeps counting", async () => {
    const shell = start(SHELL_FORM[0], SHELL_FORM.slice(1));
    const node = await onlyChild(shell.child.pid!);
    try {
      await waitForCount(shell, 0);
      expect(await shell.stop("SIGTERM")).toEqual({ code: null, signal: "SIGTERM" });
      // node inherited the shell's stdout, so its output still arrives here.
      const countAtSigterm = lastCount(shell);
      await waitForCount(shell, countAtSigterm + 1);
      expect(isAlive(node)).toBe(true);
      expect(shell.output()).not.toContain("received SIGTERM");
    } finally {
      if (isAlive(node)) process.kill(node, "SIGKILL");
    }
  });
});
