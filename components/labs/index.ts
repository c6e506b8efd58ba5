import { cmpt756 } from "./cmpt756";
import { dockerBasics } from "./dockerBasics";
import { dockercoins } from "./dockercoins";
import { kleeweb } from "./kleeweb";
import type { LabModule } from "./lab";
import { notifications } from "./notifications";
import { webstack } from "./webstack";

/** Every lab the program can deploy, by the name config's `labs` uses, in the order the README lists them. */
export const LABS = {
  "docker-basics": dockerBasics,
  notifications,
  cmpt756,
  webstack,
  dockercoins,
  kleeweb,
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each lab has its own settings type
} satisfies Record<string, LabModule<any>>;

export type LabName = keyof typeof LABS;
export const LAB_NAMES = Object.keys(LABS) as LabName[];

/** Each lab's typed settings, by lab name. */
export type LabSettings = { [K in LabName]: (typeof LABS)[K] extends LabModule<infer S> ? S : never };
