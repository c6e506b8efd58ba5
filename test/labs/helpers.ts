/** Reading what the mocks recorded of containers, the way a user reads `docker inspect`. */
import { loadConfig } from "../../config";
import { deployLabs } from "../../program";
import type { StackRun } from "../support/mocks";

export const program = () => deployLabs(loadConfig());
export type Run = StackRun<ReturnType<typeof program>>;
export const CONTAINER = "docker:index/container:Container";
/** Shell commands on the local target's host (components/platform/localCommand.ts), and generated secrets. */
export const LOCAL_COMMAND = "pulumi-nodejs:dynamic/container-labs:LocalCommand";
export const REMOTE_COMMAND = "pulumi-nodejs:dynamic/container-labs:RemoteCommand";
export const GENERATED_SECRET = "pulumi-nodejs:dynamic/container-labs:GeneratedSecret";
export const GENERATED_KEY_PAIR = "pulumi-nodejs:dynamic/container-labs:GeneratedKeyPair";

export const container = (run: Run, name: string) => run.one(CONTAINER, "name", name);

/** A container's environment as a map. */
export function env(run: Run, name: string): Record<string, string> {
  return Object.fromEntries(((container(run, name).inputs.envs ?? []) as string[]).map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
}

/** Names of a lab's containers (by the lab label), sorted. */
export function labContainers(run: Run, lab: string): string[] {
  return run
    .ofType(CONTAINER)
    .filter((c) => (c.inputs.labels as Array<{ label: string; value: string }>).some((l) => l.label === "container-labs.lab" && l.value === lab))
    .map((c) => c.inputs.name as string)
    .sort();
}

/** Where a stack publishes lab ports: loopback on a laptop, every address on EC2 (its security group decides who gets in). */
export const publishIp = (stack: string): string => (stack === "dev" ? "0.0.0.0" : "127.0.0.1");

/** "host:container" for each published port of a container. */
export function published(run: Run, name: string): string[] {
  return ((container(run, name).inputs.ports ?? []) as Array<{ internal: number; external: number; ip: string }>).map(
    (port) => `${port.ip}:${port.external}->${port.internal}`,
  );
}
