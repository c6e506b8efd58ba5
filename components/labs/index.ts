import type { LabName } from "../../config";
import { cmpt756 } from "./cmpt756";
import { dockerBasics } from "./dockerBasics";
import { dockercoins } from "./dockercoins";
import { kleeweb } from "./kleeweb";
import type { LabModule } from "./lab";
import { notifications } from "./notifications";
import { webstack } from "./webstack";

/** Every lab the program can deploy, by the name config's `labs` uses. */
export const LABS: Record<LabName, LabModule> = {
  "docker-basics": dockerBasics,
  notifications,
  cmpt756,
  webstack,
  dockercoins,
  kleeweb,
};
