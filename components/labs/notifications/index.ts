import * as pulumi from "@pulumi/pulumi";
import { GeneratedKeyPair } from "../../platform/generatedCredentials";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary, LabVolumes } from "../lab";
import { npmPulumi, npmRun, silently } from "../npmCommands";
import { Postgres } from "../postgres";
import { IMAGES, NODE_SERVERS } from "./images";
import { LatencyProbe } from "./latencyProbe";
import { COURSE_NOTIFICATIONS_KEY, readNotificationsSettings, type NotificationsSettings } from "./settings";
// The source itself, not the built package: the Pulumi program runs from source, before any workspace is built.
import { EXAMPLE_BODY } from "../../../packages/notification-cipher/src/example";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

/** The grading database's volume (made only with notificationsDatabase), the course's name. */
const VOLUMES = { notifications_postgres_data: {} } as const satisfies LabVolumes;
type VolumeName = keyof typeof VOLUMES;

const LAB = "notifications";
/** The course's container name: the probe, and students' scripts, reach the service by it. */
export const SERVICE_NAME = "notifications-service";
export const SERVICE_PORT = NODE_SERVERS["notifications/notifications-service"].port;
const NOTIFY_URL = `http://${SERVICE_NAME}:${SERVICE_PORT}/api/notify`;

/** curl posting the assignment's request to `url`, its body inline so the line works from any directory. */
export function tryNotifyLine(url: string): string {
  return `curl -s -X POST ${url} -H 'Content-Type: application/json' -d '${JSON.stringify(EXAMPLE_BODY)}'`;
}

/**
 * The two lines that need the service's key: the assignment's request by
 * curl, and one more probe run. The course's published key (the default) is
 * printed as it is, and the request is the assignment's own. A key of the
 * user's own is no stack output's to show: the lines take it from the stack's
 * config when they run, in the checkout (`npm run notification` seals the
 * assignment's request with it; `config get` hands it to the probe).
 */
export function keyedTryLines(settings: NotificationsSettings, stack: string, url: string, probeRun: string): { request: string; probe: string } {
  const age = "answers its age in seconds";
  const probe = "one more probe run: appends a line to the latency file";
  if (settings.secretKeyIsCourses) {
    return {
      request: `${tryNotifyLine(url)}   # the assignment's request, with the course's key (the default): ${age}`,
      probe: `SECRET_KEY=${COURSE_NOTIFICATIONS_KEY} ${probeRun}   # ${probe}`,
    };
  }
  const sealed = silently(npmRun("notification", stack));
  const key = silently(npmPulumi(stack, "config", "get", "notificationsSecretKey"));
  return {
    request: `${sealed} | curl -s -X POST ${url} -H 'Content-Type: application/json' -d @-   # the assignment's request sealed with your notificationsSecretKey (run in the checkout): ${age}`,
    probe: `SECRET_KEY=$(${key}) ${probeRun}   # ${probe}, with your notificationsSecretKey from the stack's config (run in the checkout)`,
  };
}

export interface NotificationsArgs {
  platform: Platform<ImageName, VolumeName>;
  settings: NotificationsSettings;
}

/**
 * The assignment: the notifications-service on a user-defined network, and
 * the short-lived latency probe run N times against it by container name,
 * its latencies appended to a file on a host bind mount and read back.
 */
export class Notifications extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly latencies: pulumi.Output<number[]>;
  readonly latencyFile: string;
  readonly runProbeByHand: pulumi.Output<string>;

  constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Notifications", name, {}, opts);
    const { platform, settings } = args;
    const network = platform.network(`${name}-network`, { lab: LAB, networkName: LAB }, this);
    // The group's token: the service checks it with the public key, the probe signs it with the private one.
    const token = settings.group === undefined
      ? undefined
      : { group: settings.group, key: new GeneratedKeyPair(`${name}-token-key`, { bits: 2048 }, { parent: this }) };
    // The course's grading database: each group's accepted latencies, in its notification table.
    const database = settings.database
      ? new Postgres(`${name}-postgres`, {
          platform,
          lab: LAB,
          network,
          database: LAB,
          volume: "notifications_postgres_data",
          keep: { holds: "data", onDestroy: "retain" },
        }, { parent: this })
      : undefined;
    const serviceImage = platform.image(`${name}-service`, "notifications/notifications-service", this);
    const service = new Service(`${name}-service`, {
      lab: LAB,
      service: SERVICE_NAME,
      containerName: SERVICE_NAME,
      image: serviceImage,
      // The course's command line; the key makes the container's command a secret in state.
      command: pulumi.secret(settings.secretKey.apply((key) => ["--secret-key", key])),
      env: token ? { TOKEN_PUBLIC_KEY: token.key.publicKeyPem } : undefined,
      secretEnv: database ? { DATABASE_URL: database.url } : undefined,
      networks: [network],
      ports: [{ container: SERVICE_PORT, host: SERVICE_PORT }],
      waitHealthy: true,
      engine: platform.engine,
    }, { parent: this, dependsOn: database?.ready });

    const probeImage = platform.image(`${name}-probe`, "notifications/latency-probe", this);
    const probe = new LatencyProbe(`${name}-probe`, {
      host: platform.host,
      image: probeImage.imageId,
      network,
      resultsDir: platform.host.directory(`${name}-results-dir`, LAB, probeImage.imageId, this),
      url: NOTIFY_URL,
      runs: settings.probeRuns,
      secretKey: settings.secretKey,
      token: token && { group: token.group, privateKeyPem: token.key.privateKeyPem },
      dependsOn: service.ready,
      triggers: [serviceImage.imageId],
    }, { parent: this });

    this.url = platform.url(SERVICE_PORT, "/api/notify");
    this.latencies = probe.latencies;
    this.latencyFile = probe.file;
    this.runProbeByHand = probe.runByHand;
    this.registerOutputs({ url: this.url, latencies: this.latencies, latencyFile: this.latencyFile });
  }
}

export const notifications: LabModule<NotificationsSettings, ImageName, VolumeName> = {
  readSettings: readNotificationsSettings,
  images: IMAGES,
  volumes: VOLUMES,
  hostPorts: () => [{ port: SERVICE_PORT, what: "notifications-service" }],
  deploy(platform: Platform<ImageName, VolumeName>, settings: NotificationsSettings): LabSummary {
    const lab = new Notifications(LAB, { platform, settings });
    const lines = pulumi.all([lab.url, lab.runProbeByHand]).apply(([url, probeRun]) => keyedTryLines(settings, pulumi.getStack(), url, probeRun));
    return {
      urls: { notify: lab.url, metrics: platform.url(SERVICE_PORT, "/api/metrics"), apiDocs: platform.url(SERVICE_PORT, "/") },
      tryIt: [lines.apply((keyed) => keyed.request), lines.apply((keyed) => keyed.probe)],
      details: { latencies: lab.latencies, latencyFile: pulumi.output(lab.latencyFile) },
    };
  },
};
