/**
 * scripts/pulumi-toolchain.sh: builds the Pulumi toolchain from the Go module
 * proxy (build.ts, recipes.sh), or prints the environment that uses it.
 * Run by Node directly, before `npm ci`.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { build, COMPONENTS } from "./build.ts";
import { envLines, goEnv, toolchainLayout } from "./layout.ts";

const HERE = dirname(process.argv[1]);
const USAGE = `scripts/pulumi-toolchain.sh [build]        build what is missing or out of date
eval "$(scripts/pulumi-toolchain.sh env)"  put the toolchain first on PATH`;

const say = (message: string): void => console.log(`toolchain: ${message}`);

async function main([command = "build"]: string[]): Promise<number> {
  const layout = toolchainLayout();
  switch (command) {
    case "build": {
      const goVersion = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env: { ...process.env, ...goEnv(layout) } });
      if (goVersion.error) {
        say("go is not on PATH: install Go 1.26 or newer");
        return 1;
      }
      const started = Date.now();
      say(`cache ${layout.root} (${goVersion.stdout.trim()})`);
      const failures = await build({
        context: { layout, repoRoot: resolve(HERE, "..", "..") },
        components: COMPONENTS,
        recipes: `${HERE}/recipes.sh`,
        write: (text) => process.stdout.write(text),
      });
      say(`finished in ${Math.round((Date.now() - started) / 1000)} s; binaries in ${layout.bin}`);
      if (failures.length === 0) return 0;
      say("not built:");
      for (const failure of failures) console.log(`    ${failure}`);
      return 1;
    }
    case "env":
      for (const line of envLines(layout)) console.log(line);
      return 0;
    case "help":
    case "-h":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      say(`unknown subcommand '${command}'`);
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    say(err.message);
    process.exitCode = 1;
  },
);
