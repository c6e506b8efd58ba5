/**
 * Containers of the stack that must run but were stopped by hand (the
 * docker-basics lesson tells students to `docker stop` its demos). `pulumi up`
 * alone trusts its state, which still says they run; refreshing just those
 * containers lets the provider see them stopped, and the `up` after it starts
 * them. Found with one engine call, so a no-op `up` stays as fast as before.
 */
import { engineGet } from "../../components/platform/enginePreflight";
import { MANAGED_BY_FILTER } from "../../components/platform/labels";

/** A container as `pulumi stack export` records it. */
export interface StateContainer {
  urn: string;
  name: string;
  /** The provider's must_run: false for one-shot containers, which exit by design. */
  mustRun: boolean;
}

export const CONTAINER_TYPE = "docker:index/container:Container";

/** The containers of a stack's exported resources. */
export function stateContainers(resources: Array<{ type: string; urn: string; inputs?: { name?: string; mustRun?: boolean } }>): StateContainer[] {
  return resources
    .filter((resource) => resource.type === CONTAINER_TYPE && resource.inputs?.name)
    .map((resource) => ({ urn: resource.urn, name: resource.inputs?.name as string, mustRun: resource.inputs?.mustRun !== false }));
}

/** The URNs of the must-run containers that the engine has but does not run. */
export async function stoppedByHand(endpoint: string, containers: StateContainer[]): Promise<StateContainer[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [MANAGED_BY_FILTER], status: ["created", "exited", "dead"] }));
  const answer = engineGet(endpoint, `/containers/json?all=1&filters=${filters}`);
  if (!answer) return [];
  const notRunning = new Set((JSON.parse(await answer) as Array<{ Names: string[] }>).flatMap((container) => container.Names.map((name) => name.replace(/^\//, ""))));
  return containers.filter((container) => container.mustRun && notRunning.has(container.name));
}
