/**
 * Containers of the stack that must run but were stopped by hand (the
 * docker-basics lesson tells students to `docker stop` its demos). `pulumi up`
 * alone trusts its state, which still says they run; refreshing just those
 * containers lets the provider see them stopped, and the `up` after it starts
 * them. Found with one engine call, so a no-op `up` stays as fast as before.
 */
import { engineList } from "../../components/platform/enginePreflight";
import { MANAGED_BY_FILTER } from "../../components/platform/labels";
import type { StateContainer } from "./stackState";

/** The must-run containers that the engine has but does not run. */
export async function stoppedByHand(endpoint: string, containers: StateContainer[]): Promise<StateContainer[]> {
  const stopped = await engineList<Array<{ Names: string[] }>>(endpoint, "/containers/json?all=1", { label: [MANAGED_BY_FILTER], status: ["created", "exited", "dead"] });
  const notRunning = new Set((stopped ?? []).flatMap((container) => container.Names.map((name) => name.replace(/^\//, ""))));
  return containers.filter((container) => container.mustRun && notRunning.has(container.name));
}
