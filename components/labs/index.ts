import type { LabName } from "../../config";
import { cmpt756 } from "./cmpt756";
import { dockerBasics } from "./dockerBasics";
import type { LabModule } from "./lab";
import { notifications } from "./notifications";

/** Every lab the program can deploy, by the name config's `labs` uses. */
export const LABS: Partial<Record<LabName, LabModule>> = {
  "docker-basics": dockerBasics,
  notifications,
  cmpt756,
};
