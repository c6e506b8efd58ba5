import * as os from "node:os";
import * as path from "node:path";
import { isIpv4 } from "../../config/cidr";
import type { ConfigReader } from "../../config/reader";
import type { TargetModule } from "../target";
import { LocalHost, type LocalSettings } from "./localHost";

export { LocalHost, unixSocketPath, type LocalSettings } from "./localHost";

/** The engine when neither localDockerHost nor DOCKER_HOST names one: Docker's default socket. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * This machine's engine (localDockerHost): it runs the labs on the local
 * target and builds the images on every target. Docker's own convention:
 * DOCKER_HOST names the engine when the stack does not.
 */
export function readDockerHost(reader: ConfigReader, environment: NodeJS.ProcessEnv): string {
  const dockerHost = reader.optionalString("localDockerHost") ?? environment.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
  reader.check(/^(unix|tcp|ssh|npipe):\/\/./.test(dockerHost), "localDockerHost", dockerHost, "a Docker endpoint such as unix:///var/run/docker.sock, tcp://host:2375 or ssh://user@host");
  return dockerHost;
}

export const local: TargetModule<LocalSettings> = {
  readSettings(reader, stack) {
    // Computed, not in Pulumi.yaml: the home directory is the user's, and the stack's name is in it.
    const dataDir = reader.optionalString("localDataDir") ?? path.join(os.homedir(), ".container-labs", stack);
    reader.check(path.isAbsolute(dataDir), "localDataDir", dataDir, "an absolute directory path");
    const publishAddress = reader.string("localPublishAddress");
    reader.check(isIpv4(publishAddress), "localPublishAddress", publishAddress, "an IPv4 address of this machine: 127.0.0.1 (only this machine), or 0.0.0.0 to open the labs to every network it is on");
    return { dataDir, publishAddress };
  },
  pushesImages: false,
  createHost: (name, settings, { buildEngine }) => new LocalHost(name, settings, buildEngine),
};
