/**
 * The containers and networks one run (a benchmark, a test file) makes on the
 * private engine, all labelled with the run's scope, so that `remove()` finds
 * every one of them: also a container whose `docker run` failed after the
 * engine had created it, which a list of what started would miss.
 */
import { docker, startContainer, type Container, type ContainerOptions, type Engine } from "./engine";
import { sleep } from "./wait";

const SCOPE_LABEL = "container-labs.scope";
/** How long a container may take to stop on SIGTERM before it is killed. */
const STOP_SECONDS = 5;
/** `network rm` right after the containers went may find the engine still releasing their endpoints. */
const NETWORK_REMOVAL_TRIES = 10;

export interface EngineScope {
  engine: Engine;
  /** `<scope>-<what>`: a name no other run uses. */
  name(what: string): string;
  /** Creates a user-defined bridge network named `name(what)`; resolves to that name. */
  network(what: string): Promise<string>;
  /** Starts a container named `name(options.name)`. */
  start(options: ContainerOptions): Promise<Container>;
  /**
   * Once the starts under way have ended, stops every container of the scope
   * and removes it with its anonymous volumes, then removes its networks.
   */
  remove(): Promise<void>;
}

/** A scope named after `purpose` and this process, so that two runs side by side never remove each other's. */
export function engineScope(engine: Engine, purpose: string): EngineScope {
  const scope = `cl-${purpose}-${process.pid}`;
  const label = `${SCOPE_LABEL}=${scope}`;
  const starting = new Set<Promise<unknown>>();
  const labelled = async (kind: "container" | "network"): Promise<string[]> =>
    (await docker(engine, [kind, "ls", "--quiet", ...(kind === "container" ? ["--all"] : []), "--filter", `label=${label}`])).split("\n").filter(Boolean);
  const name = (what: string): string => `${scope}-${what}`;

  const removeNetworks = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const networks = await labelled("network");
      if (networks.length === 0) return;
      try {
        await docker(engine, ["network", "rm", ...networks]);
        return;
      } catch (err) {
        if (attempt === NETWORK_REMOVAL_TRIES) throw err;
        await sleep(1000);
      }
    }
  };

  return {
    engine,
    name,
    async network(what) {
      await docker(engine, ["network", "create", "--driver", "bridge", "--label", label, name(what)]);
      return name(what);
    },
    start(options) {
      const started = startContainer(engine, { ...options, name: name(options.name), labels: { ...options.labels, [SCOPE_LABEL]: scope } });
      const settled = started.catch(() => undefined).finally(() => starting.delete(settled));
      starting.add(settled);
      return started;
    },
    async remove() {
      // A start still under way would create its container, on the network, after the listing.
      await Promise.all(starting);
      const containers = await labelled("container");
      if (containers.length > 0) {
        // Stopped before removal: once, removing 43 running containers by force left their network
        // holding an endpoint no container had, and it could not be removed.
        await docker(engine, ["stop", "--time", String(STOP_SECONDS), ...containers]).catch(() => undefined);
        await docker(engine, ["rm", "--force", "--volumes", ...containers]);
      }
      await removeNetworks();
    },
  };
}

/**
 * Runs `use` with a scope of its own and removes the scope afterwards, also
 * when `use` fails; a failure to remove never hides `use`'s own failure.
 */
export async function inEngineScope<T>(engine: Engine, purpose: string, use: (scope: EngineScope) => Promise<T>): Promise<T> {
  const scope = engineScope(engine, purpose);
  let result: T;
  try {
    result = await use(scope);
  } catch (err) {
    const removal = await scope.remove().then(() => undefined, (removalError: Error) => removalError);
    if (removal) throw new Error(`${(err as Error).message}\n(then removing ${scope.name("*")} failed as well: ${removal.message})`, { cause: err });
    throw err;
  }
  await scope.remove();
  return result;
}
