/**
 * `pulumi up`: reads and validates the stack's configuration, then deploys
 * every enabled lab on the configured target. See README.md.
 */
import { loadConfig } from "./config";
import { deployLabs } from "./program";

const outputs = deployLabs(loadConfig());

export const target = outputs.target;
export const hostAddress = outputs.hostAddress;
export const labs = outputs.labs;
