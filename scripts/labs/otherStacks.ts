/**
 * One engine runs one stack's labs at a time (issue 27, item 9). Containers
 * and networks keep the course's names on every stack, because students type
 * them (`docker stop docker-basics-signals-exec`, `docker logs
 * kleeweb-worker-1`, the network `t3n`), and the labs publish the same host
 * ports: a second stack on a busy engine would fail halfway through `up` on
 * the first name it shares. So `npm run up` refuses it before anything is
 * created and names what it would share. Volumes, which outlive `down`, are
 * kept apart by name instead (components/platform/stackNames.ts).
 *
 * Whose a container is: its `container-labs.stack` label; a container made
 * before containers carried that label is this stack's when its state holds it.
 */
import { engineList } from "../../components/platform/enginePreflight";
import { MANAGED_BY_FILTER } from "../../components/platform/labels";
import { LABELS } from "../../policy/lib/labels";
import { npmRun, UserError } from "./pulumi";
import { stateContainers, stateNetworks, type StateResource } from "./stackState";

export interface EngineContainer {
  name: string;
  /** Its stack label; undefined on containers made before containers were labelled. */
  stack?: string;
  /** The host ports it publishes. */
  ports: number[];
}

/** Every container of the project on the engine, running or not; undefined where the Engine API is not reachable this way (ssh://). */
export async function projectContainers(endpoint: string): Promise<EngineContainer[] | undefined> {
  const listed = await engineList<Array<{ Names: string[]; Labels?: Record<string, string> | null; Ports?: Array<{ PublicPort?: number }> | null }>>(
    endpoint,
    "/containers/json?all=1",
    { label: [MANAGED_BY_FILTER] },
  );
  return listed?.map((container) => ({
    name: (container.Names[0] ?? "").replace(/^\//, ""),
    stack: container.Labels?.[LABELS.stack] || undefined,
    ports: [...new Set((container.Ports ?? []).flatMap((port) => (port.PublicPort ? [port.PublicPort] : [])))],
  }));
}

/** What another stack (or an unknown owner) has on the engine that this stack would share. */
export interface OtherStack {
  /** Its name; undefined for containers and networks made before containers were labelled, which this stack's state does not hold. */
  stack?: string;
  containers: string[];
  /** Networks of the project that this stack's state does not hold (networks carry no stack label: listed with the unknown owner, or with the only other stack). */
  networks: string[];
}

/** Splits the engine's project containers and networks into this stack's and the others', grouped by stack. */
export function otherStacks(containers: EngineContainer[], networks: string[], stack: string, state: StateResource[]): { ours: EngineContainer[]; others: OtherStack[] } {
  const ownContainers = new Set(stateContainers(state).map((container) => container.name));
  const ownNetworks = new Set(stateNetworks(state));
  const ours: EngineContainer[] = [];
  const byStack = new Map<string | undefined, OtherStack>();
  for (const container of containers) {
    if (container.stack === stack || (container.stack === undefined && ownContainers.has(container.name))) {
      ours.push(container);
      continue;
    }
    const entry = byStack.get(container.stack) ?? { stack: container.stack, containers: [], networks: [] };
    entry.containers.push(container.name);
    byStack.set(container.stack, entry);
  }
  const foreignNetworks = networks.filter((network) => !ownNetworks.has(network)).sort();
  if (foreignNetworks.length > 0) {
    // A network carries no stack label: it is the other stack's when there is exactly one, unknown otherwise.
    const named = [...byStack.values()].filter((entry) => entry.stack !== undefined);
    const owner = named.length === 1 && !byStack.has(undefined) ? named[0] : (byStack.get(undefined) ?? { stack: undefined, containers: [], networks: [] });
    owner.networks.push(...foreignNetworks);
    byStack.set(owner.stack, owner);
  }
  const others = [...byStack.values()]
    .map((entry) => ({ ...entry, containers: entry.containers.sort() }))
    .sort((a, b) => (a.stack === undefined ? 1 : b.stack === undefined ? -1 : a.stack < b.stack ? -1 : 1));
  return { ours, others };
}

/** The refusal: each other stack with what this one would share, then what to do. */
export function describeOtherStacks(others: OtherStack[], stack: string, endpoint: string): string {
  const lines = others.map((other) => {
    const what = [
      other.containers.length > 0 ? `containers ${other.containers.join(", ")}` : "",
      other.networks.length > 0 ? `networks ${other.networks.join(", ")}` : "",
    ].filter(Boolean).join("; ");
    return other.stack !== undefined
      ? `  - the stack "${other.stack}": ${what}\n    remove them with: ${npmRun("down", other.stack)} (in the checkout that holds its state)`
      : `  - made by a stack this checkout's state of "${stack}" does not know (before containers carried their stack's label, or a stack whose state is gone): ${what}\n    remove them with its own npm run down, or: ${[
          other.containers.length > 0 ? `docker rm --force ${other.containers.join(" ")}` : "",
          other.networks.length > 0 ? `docker network rm ${other.networks.join(" ")}` : "",
        ].filter(Boolean).join(" && ")}`;
  });
  return [
    `the engine at ${endpoint} runs another stack's labs, and the stack "${stack}" would share their names (the course's container and network names, which students type) and their host ports:`,
    ...lines,
    `One engine runs one stack's labs at a time. Remove the other stack's labs as above (its data volumes stay, apart from this stack's), or give the stack "${stack}" another engine: npm run pulumi -- config set localDockerHost <endpoint> --stack ${stack}`,
  ].join("\n");
}

/**
 * Throws a UserError naming what another stack has on the engine; returns this
 * stack's own containers (the port check takes their ports as this stack's).
 */
export async function checkOtherStacks(endpoint: string, stack: string, state: StateResource[]): Promise<EngineContainer[]> {
  const containers = await projectContainers(endpoint);
  if (!containers) return [];
  const networks = ((await engineList<Array<{ Name: string }>>(endpoint, "/networks", { label: [MANAGED_BY_FILTER] })) ?? []).map((network) => network.Name);
  const { ours, others } = otherStacks(containers, networks, stack, state);
  if (others.length > 0) throw new UserError(describeOtherStacks(others, stack, endpoint));
  return ours;
}
