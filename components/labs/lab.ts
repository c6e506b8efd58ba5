import type * as pulumi from "@pulumi/pulumi";
import type { LabsConfig } from "../../config";
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

export interface LabModule {
  /** Host ports the lab publishes (before portRemap): the EC2 host opens these to the allowed network. */
  publishedPorts(config: LabsConfig): number[];
  deploy(platform: Platform, config: LabsConfig): LabSummary;
}
