import * as pulumi from "@pulumi/pulumi";
import { NGINX_SCRATCH } from "../../platform/images";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary, LabVolumes } from "../lab";
import { Postgres } from "../postgres";
import { IMAGES, NODE_SERVERS, WEBSTACK_APP_DIRS } from "./images";
import { readWebstackSettings, type WebstackSettings } from "./settings";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

/** The database's, the static files' and the uploads' volumes, the course's names. */
const VOLUMES = { webstack_postgres_data: {}, webstack_static: {}, webstack_media: {} } as const satisfies LabVolumes;
type VolumeName = keyof typeof VOLUMES;

const LAB = "webstack";
export const SITE_PORT = 1337;
const APP_PORT = NODE_SERVERS["webstack/app"].port;
const STATIC_DIR = WEBSTACK_APP_DIRS.static;
const MEDIA_DIR = WEBSTACK_APP_DIRS.media;
/** nginx's limit covers the whole multipart request, a little more than the file itself. */
const MULTIPART_MARGIN_BYTES = 64 * 1024;

const PROFILES = {
  dev: { APP_PROFILE: "development", LOG_LEVEL: "debug" },
  prod: { APP_PROFILE: "production", LOG_LEVEL: "info" },
} as const;

export interface WebstackArgs {
  platform: Platform<ImageName, VolumeName>;
  settings: WebstackSettings;
}

/**
 * flask-on-docker's "Instagram stack": nginx (the only published port) in
 * front of the app's workers in front of PostgreSQL; static and media files
 * on volumes the app writes and nginx serves read-only.
 */
export class Webstack extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: WebstackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Webstack", name, {}, opts);
    const { platform, settings } = args;
    const engine = platform.engine;
    const network = platform.network(`${name}-network`, { lab: LAB, networkName: LAB }, this);
    const keepData = settings.retainDatabase ? { holds: "data", onDestroy: "retain" } as const : { holds: "scratch" } as const;
    const postgres = new Postgres(`${name}-postgres`, {
      platform, lab: LAB, network, database: LAB, volume: "webstack_postgres_data", keep: keepData,
    }, { parent: this });
    const staticFiles = platform.volume(`${name}-static`, { lab: LAB, volume: "webstack_static", keep: { holds: "scratch" } }, this);
    const media = platform.volume(`${name}-media`, { lab: LAB, volume: "webstack_media", keep: keepData }, this);

    const appImage = platform.image(`${name}-app`, "webstack/app", this);
    const app = new Service(`${name}-app`, {
      lab: LAB,
      service: "app",
      image: appImage,
      env: {
        ...PROFILES[settings.profile],
        WEB_CONCURRENCY: String(settings.appWorkers),
        STATIC_DIR,
        MEDIA_DIR,
        MAX_UPLOAD_BYTES: String(settings.maxUploadBytes),
      },
      secretEnv: { DATABASE_URL: postgres.url },
      networks: [network],
      mounts: [{ source: staticFiles, target: STATIC_DIR }, { source: media, target: MEDIA_DIR }],
      waitHealthy: true,
      engine,
    }, { parent: this, dependsOn: postgres.ready });

    const nginxImage = platform.image(`${name}-nginx`, "webstack/nginx", this);
    new Service(`${name}-nginx`, {
      lab: LAB,
      service: "nginx",
      image: nginxImage,
      scratch: NGINX_SCRATCH,
      env: {
        APP_UPSTREAM: `app:${APP_PORT}`,
        CLIENT_MAX_BODY_SIZE: String(settings.maxUploadBytes + MULTIPART_MARGIN_BYTES),
        STATIC_ROOT: `${STATIC_DIR}/`,
        MEDIA_ROOT: `${MEDIA_DIR}/`,
      },
      networks: [network],
      mounts: [
        { source: staticFiles, target: STATIC_DIR, readOnly: true },
        { source: media, target: MEDIA_DIR, readOnly: true },
      ],
      ports: [{ container: 80, host: SITE_PORT }],
      engine,
    }, { parent: this, dependsOn: app.ready });

    this.url = platform.url(SITE_PORT);
    this.registerOutputs({ url: this.url });
  }
}

export const webstack: LabModule<WebstackSettings, ImageName, VolumeName> = {
  readSettings: readWebstackSettings,
  images: IMAGES,
  volumes: VOLUMES,
  hostPorts: () => [{ port: SITE_PORT, what: "webstack nginx" }],
  deploy(platform: Platform<ImageName, VolumeName>, settings: WebstackSettings): LabSummary {
    const lab = new Webstack(LAB, { platform, settings });
    return {
      urls: { site: lab.url, upload: lab.url.apply((url) => `${url}upload`) },
      tryIt: [
        lab.url.apply((url) => `curl -s ${url}; echo   # the app, through nginx: {"hello":"world"}, as the course's`),
        lab.url.apply((url) => `curl -s -F file=@README.md ${url}upload; echo   # from the checkout: uploads its README, answers the URL it is served at`),
      ],
    };
  },
};
