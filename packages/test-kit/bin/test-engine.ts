/**
 * scripts/test-engine.sh: start|stop|status|env of the tests' private Docker
 * engine (src/privateEngine.ts). Run by Node directly, before `npm ci`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dockerHostOf, engineLayout, start, status, stop } from "../src/privateEngine.ts";

const USAGE = "usage: scripts/test-engine.sh start|stop|status|env";
/** Given by the start that holds the engine's lock to the start it runs under the lock. */
const HOLDING_LOCK = "--holding-lock";

async function main([command, flag]: string[]): Promise<number> {
  const layout = engineLayout();
  switch (command) {
    case "start": {
      if (flag === HOLDING_LOCK) {
        await start(layout);
        return 0;
      }
      mkdirSync(`${layout.dir}/data`, { recursive: true });
      // One start at a time: flock holds the lock (--close: dockerd, started below it, does not inherit it).
      const locked = spawnSync("flock", ["--close", layout.lockfile, process.execPath, ...process.execArgv, process.argv[1], "start", HOLDING_LOCK], { stdio: "inherit" });
      return locked.status ?? 1;
    }
    case "stop":
      await stop(layout);
      return 0;
    case "status": {
      const { healthy, line } = await status(layout);
      console.log(line);
      return healthy ? 0 : 1;
    }
    case "env":
      console.log(`export DOCKER_HOST=${dockerHostOf(layout)}`);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`test-engine: ${err.message}\n`);
    process.exitCode = 1;
  },
);
