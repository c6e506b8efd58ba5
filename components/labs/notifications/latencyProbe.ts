import * as pulumi from "@pulumi/pulumi";
import type { DockerHost } from "../../platform/host";
import type { Network } from "../../platform/network";
import { shellQuote } from "../../platform/shell";

export interface ProbeRunArgs {
  /** Image ID of the probe on the Docker host. */
  image: string;
  network: string;
  /** Absolute host directory mounted at /data; the probe appends to latencies.txt there. */
  resultsDir: string;
  /** The URL the probe posts to, reached by container name on `network`. */
  url: string;
  /** The group the probe signs a token for (TOKEN_PRIVATE_KEY from the environment); none: no token. */
  group?: string;
}

export interface ProbeScriptArgs extends ProbeRunArgs {
  runs: number;
}

export const RESULTS_FILE = "latencies.txt";

/**
 * The shell the Command runs on the Docker host: N short-lived probe
 * containers, progress on stderr, then the N lines they appended on stdout.
 * The keys come on stdin (the notification key, then the token's private key
 * with its line breaks written as \n), so they are in no command line and no
 * `ps` output.
 */
export function probeScript(args: ProbeScriptArgs): string {
  return [
    "set -eu",
    "IFS= read -r SECRET_KEY || true",
    "IFS= read -r TOKEN_PRIVATE_KEY || true",
    "export SECRET_KEY TOKEN_PRIVATE_KEY",
    `run=1`,
    `while [ "$run" -le ${args.runs} ]; do`,
    `  echo "latency probe: run $run of ${args.runs}" >&2`,
    `  ${probeRun(args)} >&2`,
    `  run=$((run + 1))`,
    "done",
    `tail -n ${args.runs} ${shellQuote(args.resultsDir)}/${RESULTS_FILE}`,
  ].join("\n");
}

/**
 * One run of the probe: a short-lived container that posts one notification,
 * appends its latency to the results file and exits. SECRET_KEY (and
 * TOKEN_PRIVATE_KEY) come from the caller's environment, never the command line.
 */
export function probeRun(args: ProbeRunArgs): string {
  const token = args.group === undefined ? "" : ` --env TOKEN_PRIVATE_KEY --env GROUP=${shellQuote(args.group)}`;
  return [
    `docker run --rm --network ${shellQuote(args.network)} --volume ${shellQuote(args.resultsDir)}:/data`,
    `--env SECRET_KEY --env NOTIFICATIONS_URL=${shellQuote(args.url)} --env OUTPUT_FILE=/data/${RESULTS_FILE}${token}`,
    shellQuote(args.image),
  ].join(" ");
}

/** The latencies in the Command's stdout, one per line. */
export function parseLatencies(stdout: string): number[] {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const value = Number(line);
      if (!Number.isFinite(value)) throw new Error(`latency probe: "${line}" in the results file is not a number`);
      return value;
    });
}

export interface LatencyProbeArgs {
  host: DockerHost;
  image: pulumi.Input<string>;
  network: Network;
  resultsDir: { path: string; ready: pulumi.Resource };
  url: string;
  runs: number;
  /** The key the probe encrypts a fresh notification with (fresh timestamp: the real request latency). */
  secretKey: pulumi.Input<string>;
  /** A group the probe speaks for, with the private key it signs the group's token with. */
  token?: { group: string; privateKeyPem: pulumi.Input<string> };
  /** What must be up first (the healthy service). */
  dependsOn: pulumi.Resource[];
  /** Inputs whose change runs the probe again (the service's image). */
  triggers: pulumi.Input<unknown>[];
}

/**
 * Runs the notifications latency probe N times on the Docker host, as the
 * assessment does, and reads the latencies back from the host's file.
 */
export class LatencyProbe extends pulumi.ComponentResource {
  readonly latencies: pulumi.Output<number[]>;
  /** The results file on the Docker host, where every run's line is kept. */
  readonly file: string;
  /** One more run by hand on the Docker host, with SECRET_KEY in the environment (no token). */
  readonly runByHand: pulumi.Output<string>;

  constructor(name: string, args: LatencyProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Its type was container-labs:platform:LatencyProbe: the alias keeps a deployed stack's probe and its runs instead of replacing them.
    super("container-labs:labs:LatencyProbe", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "container-labs:platform:LatencyProbe" }] });
    const script = pulumi
      .all([args.image, args.network.name])
      .apply(([image, network]) => probeScript({ image, network, resultsDir: args.resultsDir.path, url: args.url, runs: args.runs, group: args.token?.group }));
    const privateKey = pulumi.output(args.token?.privateKeyPem ?? "").apply((pem) => pem.trim().replace(/\n/g, "\\n"));
    const run = args.host.command(
      `${name}-runs`,
      {
        create: script,
        stdin: pulumi.secret(pulumi.interpolate`${args.secretKey}\n${privateKey}\n`),
        triggers: [args.image, args.runs, ...args.triggers],
        dependsOn: [args.resultsDir.ready, ...args.dependsOn],
      },
      this,
    );
    this.latencies = run.stdout.apply(parseLatencies);
    this.file = `${args.resultsDir.path}/${RESULTS_FILE}`;
    this.runByHand = pulumi
      .all([args.image, args.network.name])
      .apply(([image, network]) => probeRun({ image, network, resultsDir: args.resultsDir.path, url: args.url }));
    this.registerOutputs({ latencies: this.latencies, file: this.file, runByHand: this.runByHand });
  }
}
