/**
 * `pulumi up`: reads and validates the stack's configuration, checks the
 * local engine, then deploys every enabled lab on the configured target.
 * See README.md.
 */
import { loadConfig, PROJECT } from "./config";
import { checkEngine } from "./components/platform/enginePreflight";
import { deployLabs, fixedSubnets } from "./program";

export = async () => {
  const config = loadConfig();
  if (config.local) await checkEngine({ endpoint: config.dockerHost, fixedSubnets: fixedSubnets(config) }, PROJECT);
  const { target, hostAddress, labs } = deployLabs(config);
  return { target, hostAddress, labs };
};
