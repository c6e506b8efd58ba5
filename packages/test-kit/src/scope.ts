/**
 * The containers and networks one run (a benchmark, a test file) makes on the
 * private engine, all labelled with the run's scope, so that `remove()` finds
 * every one of them: also a container whose `docker run` failed after the
 * engine had created it, which a list of what started would miss.
 */
import { docker, startContainer, type Container, type ContainerOptions, type Engine } from "./engine";

const SCOPE_LABEL = "container-labs.scope";

export interface EngineScope {
  engine: Engine;
  /** `<scope>-<what>`: a name no other run uses. */
  name(what: string): string;
  /** Creates a user-defined bridge network named `name(what)`; resolves to that name. */
  network(what: string): Promise<string>;
  /** Starts a container named `name(options.name)`. */
  start(options: ContainerOptions): Promise<Container>;
  /** Removes every container of the scope (with its anonymous volumes), then its networks. */
  remove(): Promise<void>;
}

/** A scope named after `purpose` and this process, so that two runs side by side never remove each other's. */
export function engineScope(engine: Engine, purpose: string): EngineScope {
  const scope = `cl-${purpose}-${process.pid}`;
  const label = `${SCOPE_LABEL}=${scope}`;
  const labelled = async (kind: "container" | "network"): Promise<string[]> =>
    (await docker(engine, [kind, "ls", "--quiet", ...(kind === "container" ? ["--all"] : []), "--filter", `label=${label}`])).split("\n").filter(Boolean);
  const name = (what: string): string => `${scope}-${what}`;
  return {
    engine,
    name,
    async network(what) {
      await docker(engine, ["network", "create", "--driver", "bridge", "--label", label, name(what)]);
      return name(what);
    },
    start: (options) => startContainer(engine, { ...options, name: name(options.name), labels: { ...options.labels, [SCOPE_LABEL]: scope } }),
    async remove() {
      const containers = await labelled("container");
      if (containers.length > 0) await docker(engine, ["rm", "--force", "--volumes", ...containers]);
      const networks = await labelled("network");
      if (networks.length > 0) await docker(engine, ["network", "rm", ...networks]);
    },
  };
}
