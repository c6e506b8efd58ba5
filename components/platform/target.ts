import type { ConfigReader } from "../config/reader";
import type { DockerHost } from "./host";
import type { Registry } from "./registry";

/** What every target's host is made with. */
export interface HostInputs {
  /** This machine's Docker engine (localDockerHost): it builds every target's images. */
  buildEngine: string;
  registry: Registry;
  /** Host ports the enabled labs publish (after portRemap): a cloud target opens them to the allowed networks. */
  labPorts: number[];
}

/**
 * A place the labs run, as the program needs it: its settings, read and
 * checked from its own config keys (declared in Pulumi.yaml), and the
 * Docker host it makes. Each lives in its own folder under the platform.
 */
export interface TargetModule<Settings> {
  readSettings(reader: ConfigReader, stack: string): Settings;
  /** Whether built images go through a registry (the host is another machine) or are loaded into this machine's engine. */
  readonly pushesImages: boolean;
  /**
   * What `npm run down` leaves on a target whose host is another machine, and
   * how to remove it there (`--purge` reaches this machine's engine only).
   */
  readonly leftOnMachine?: string;
  /** The host, named `name`, its resources children of it. */
  createHost(name: string, settings: Settings, inputs: HostInputs): DockerHost;
}
