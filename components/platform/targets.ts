import { ec2 } from "./ec2";
import { local } from "./local";
import { ssh } from "./ssh";
import type { DockerHost } from "./host";
import type { HostInputs, TargetModule } from "./target";

/** Every place the labs can run, by the name config's `target` uses: each a folder of the platform. */
export const TARGETS = {
  local,
  ec2,
  ssh,
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each target has its own settings type
} satisfies Record<string, TargetModule<any>>;

export type Target = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as Target[];

/** Each target's typed settings, by target name. */
export type TargetSettings = { [K in Target]: (typeof TARGETS)[K] extends TargetModule<infer S> ? S : never };

/** Where the labs run: exactly one target's settings, under its own name, so no caller has to assume which. */
export type Placement = { [K in Target]: { target: K } & { [T in K]: TargetSettings[K] } & { [T in Exclude<Target, K>]?: undefined } }[Target];

/** The placement's host, named `name`. */
export function createDockerHost(name: string, placement: Placement, inputs: HostInputs): DockerHost {
  // TypeScript cannot tie a union member's key to its value: the Placement type above does.
  const target = TARGETS[placement.target] as TargetModule<unknown>;
  return target.createHost(name, (placement as Record<Target, unknown>)[placement.target], inputs);
}
