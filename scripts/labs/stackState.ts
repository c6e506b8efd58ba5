/** What the stack's state holds, read with `pulumi stack export` (from the backend alone: no provider is asked). */
import { capturePulumi } from "./pulumi";

export interface StateResource {
  type: string;
  urn: string;
  protect?: boolean;
  inputs?: { name?: string; mustRun?: boolean };
  outputs?: { name?: string };
}

/** A container as the state records it. */
export interface StateContainer {
  urn: string;
  name: string;
  /** The provider's must_run: false for one-shot containers, which exit by design. */
  mustRun: boolean;
}

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";

export async function stackResources(stack: string, env: NodeJS.ProcessEnv): Promise<StateResource[]> {
  const state = JSON.parse(await capturePulumi(["stack", "export", "--stack", stack], env)) as { deployment?: { resources?: StateResource[] } };
  return state.deployment?.resources ?? [];
}

export function stateContainers(resources: StateResource[]): StateContainer[] {
  return resources
    .filter((resource) => resource.type === CONTAINER && resource.inputs?.name)
    .map((resource) => ({ urn: resource.urn, name: resource.inputs?.name as string, mustRun: resource.inputs?.mustRun !== false }));
}

/** The names of the volumes the state keeps protected from destroy. */
export function protectedVolumes(resources: StateResource[]): string[] {
  return resources.filter((resource) => resource.type === VOLUME && resource.protect && resource.outputs?.name).map((resource) => resource.outputs?.name as string);
}

/** The names of the networks the state holds. */
export function stateNetworks(resources: StateResource[]): string[] {
  return resources.filter((resource) => resource.type === NETWORK && resource.outputs?.name).map((resource) => resource.outputs?.name as string);
}
