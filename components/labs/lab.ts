import type * as pulumi from "@pulumi/pulumi";
import type { ConfigReader } from "../config/reader";
import type { FixedSubnet } from "../platform/enginePreflight";
import type { BuildSource } from "../platform/image";
import type { Platform } from "../platform/platform";

/** What a deployed lab tells its user: where to go and what to try. */
export interface LabSummary {
  /** Named URLs, e.g. { webui: "http://localhost:8000/" }. */
  urls: Record<string, pulumi.Output<string>>;
  /** Commands to try, e.g. a sample curl. */
  tryIt: pulumi.Output<string>[];
  /** Anything else worth a stack output (e.g. measured latencies). */
  details?: Record<string, pulumi.Output<unknown>>;
}

export interface HostPort {
  port: number;
  /** What listens there, for messages (e.g. "dockercoins webui"). */
  what: string;
  /** Published on the host's loopback only, never opened to a network. */
  loopbackOnly?: boolean;
}

/** The images a lab builds, by `<lab>/<service>` (the names imageOverrides takes), and how each is built. */
export type LabImages<ImageName extends string = string> = Readonly<Record<ImageName, BuildSource>>;

/** What a lab says of one of its named volumes. */
export interface LabVolume {
  /**
   * The lab's config key that protects the volume from destroy, when one
   * does: `npm run down` names it as what lifts the protection.
   */
  protectedBy?: string;
}

/**
 * The named volumes a lab makes, by the course's name (none contains a '.':
 * platform/stackNames.ts); Platform.volume makes only these, and
 * `npm run down` finds what a stack left by them.
 */
export type LabVolumes<VolumeName extends string = string> = Readonly<Record<VolumeName, LabVolume>>;

/** What the program needs of each lab: its settings, its images, its volumes, its host ports, and how to deploy it. */
export interface LabModule<Settings, ImageName extends string = string, VolumeName extends string = never> {
  /** Reads and validates the lab's own config keys (declared, with their defaults, in Pulumi.yaml). */
  readSettings(reader: ConfigReader, stack: string): Settings;
  /** The images it builds (its folder's images.ts); Platform.image makes them present on the host. */
  readonly images: LabImages<ImageName>;
  /** The named volumes it makes, when it makes any. */
  readonly volumes?: LabVolumes<VolumeName>;
  /** Host ports the lab publishes (before portRemap); the EC2 host opens those not kept on loopback to the allowed network. */
  hostPorts(settings: Settings): HostPort[];
  /** Given a platform that builds the lab's own images and makes its own volumes, by their names. */
  deploy(platform: Platform<ImageName, VolumeName>, settings: Settings): LabSummary;
  /**
   * The fixed subnet of a lab network (kleeweb's), with the config key that
   * sets it: checked against the engine before `up`, and the lab deployed
   * first (see Platform.network).
   */
  fixedSubnet?(settings: Settings): FixedSubnet;
  /**
   * Why the lab mounts the engine's unix socket into its containers (kleeweb's
   * workers start job containers beside them), when it does: config then
   * requires the local target's engine to be a unix socket.
   */
  readonly needsEngineSocket?: string;
}
