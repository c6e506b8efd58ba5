/**
 * Go modules as the recipes need them: downloaded into the toolchain's module
 * cache, and copied out of it into a build directory. Go's output goes to the
 * component's log.
 */
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ModuleProxy } from "./versions.ts";

/** Runs a program to its end; its output, and whether it exited 0. Never rejects. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }));
  });
}

/** What `go mod download -json` said of one module: its directory, or why not. */
export function downloadResult(output: string): { dir?: string; error?: string } {
  let parsed: { Dir?: string; Error?: string };
  try {
    parsed = JSON.parse(output) as { Dir?: string; Error?: string };
  } catch {
    return { error: output.trim() || "no output" };
  }
  return parsed.Dir && !parsed.Error ? { dir: parsed.Dir } : { error: parsed.Error ?? "no Dir in the output" };
}

export class GoModules {
  readonly log: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(log: string, env: NodeJS.ProcessEnv) {
    this.log = log;
    this.env = env;
  }

  /** `go mod download -json module@version`: the module's directory in the module cache. */
  async download(moduleAtVersion: string): Promise<string> {
    const { stdout, stderr } = await run("go", ["mod", "download", "-json", moduleAtVersion], this.env);
    appendFileSync(this.log, `${stderr}${stdout}\n`);
    const { dir, error } = downloadResult(stdout);
    if (!dir) throw new Error(`go mod download ${moduleAtVersion}: ${error}`);
    return dir;
  }

  /** The proxy as this cache sees it: a version is served when its download succeeds. */
  proxy(): ModuleProxy {
    return {
      serves: (module, version) => this.download(`${module}@v${version}`).then(() => true, () => false),
      versions: async (module) => {
        const { stdout, stderr } = await run("go", ["list", "-m", "-versions", "-json", module], this.env);
        appendFileSync(this.log, stderr);
        const listed = stdout ? ((JSON.parse(stdout) as { Versions?: string[] }).Versions ?? []) : [];
        return listed.map((version) => version.replace(/^v/, ""));
      },
    };
  }

  /**
   * Modules whose go.mod points at sibling folders (`replace ... => ../sdk`)
   * cannot be built by `go install`: each is copied to the folder of `dir` the
   * replace directives expect. A folder already laid out from the same module
   * version is kept.
   */
  async layOut(dir: string, folders: { moduleAtVersion: string; folder: string }[]): Promise<void> {
    mkdirSync(dir, { recursive: true });
    for (const { moduleAtVersion, folder } of folders) {
      const target = `${dir}/${folder}`;
      const marker = `${target}/.laid-out-from`;
      if (existsSync(marker) && readFileSync(marker, "utf8").trim() === moduleAtVersion) continue;
      const source = await this.download(moduleAtVersion);
      rmSync(target, { recursive: true, force: true });
      // The module cache is read-only; the copy is ours to build in.
      for (const [program, args] of [["cp", ["-r", source, target]], ["chmod", ["-R", "u+w", target]]] as const) {
        const { ok, stderr } = await run(program, [...args], this.env);
        appendFileSync(this.log, stderr);
        if (!ok) throw new Error(`${program} ${args.join(" ")} failed`);
      }
      writeFileSync(marker, `${moduleAtVersion}\n`);
    }
  }
}
