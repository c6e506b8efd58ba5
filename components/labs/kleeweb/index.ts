import * as pulumi from "@pulumi/pulumi";
import { NGINX_SCRATCH, REDIS_DATA_IN_MEMORY, SERVER_USERS } from "../../platform/images";
import { JOB_WORKER_ROLE } from "../../platform/labels";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary, LabVolumes } from "../lab";
import { Postgres } from "../postgres";
import { IMAGES, NODE_SERVERS } from "./images";
import { PROTECT_DATABASE_KEY, readKleewebSettings, type KleewebSettings } from "./settings";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

/** The database's volume, the course's name; protected from destroy unless its setting says otherwise. */
const VOLUMES = { postgres_data: { protectedBy: PROTECT_DATABASE_KEY } } as const satisfies LabVolumes;
type VolumeName = keyof typeof VOLUMES;

const LAB = "kleeweb";
export const SITE_PORT = 80;
const WEB_PORT = NODE_SERVERS["kleeweb/web"].port;
export const DOCKER_SOCKET = "/var/run/docker.sock";
const REDIS_URL = "redis://redis:6379";
/** The course's network name and, by default, its subnet (kleewebSubnet). */
const NETWORK_NAME = "kleeweb_network";

export interface KleewebArgs {
  platform: Platform<ImageName, VolumeName>;
  settings: KleewebSettings;
}

/**
 * Klee-Web's dockerized deployment: nginx (the only public port) in front of
 * web; jobs queued in redis, recorded in PostgreSQL, and run by workers in
 * sibling containers through the Docker socket. Everything restarts always.
 */
export class Kleeweb extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: KleewebArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Kleeweb", name, {}, opts);
    const { platform, settings } = args;
    const engine = platform.engine;
    const network = platform.network(`${name}-network`, {
      lab: LAB,
      networkName: NETWORK_NAME,
      ipam: { subnet: settings.subnet, gateway: settings.gateway },
    }, this);

    const redisImage = platform.pull(`${name}-redis`, "redis", this);
    const redis = new Service(`${name}-redis`, {
      lab: LAB, service: "redis", image: redisImage, user: SERVER_USERS.redis, onHostMachine: REDIS_DATA_IN_MEMORY, networks: [network], restart: "always", engine,
    }, { parent: this });
    const postgres = new Postgres(`${name}-postgres`, {
      platform,
      lab: LAB,
      network,
      database: LAB,
      volume: "postgres_data",
      keep: { holds: "data", onDestroy: settings.protectDatabase ? "protect" : "retain" },
      restart: "always",
    }, { parent: this });
    const backends = [...redis.ready, ...postgres.ready];
    const logLevel = { LOG_LEVEL: settings.logLevel };

    const webImage = platform.image(`${name}-web`, "kleeweb/web", this);
    const web = new Service(`${name}-web`, {
      lab: LAB,
      service: "web",
      image: webImage,
      // web publishes no port: every connection comes from the lab's network, the public ones through nginx,
      // whose address Docker picks in the subnet. Trusting the subnet lets nginx's X-Real-IP name each client
      // for the job queue's per-client bound, and keeps nginx out of one address's share of the connection cap.
      env: { ...logLevel, REDIS_URL, HTTP_TRUSTED_PROXIES: settings.subnet },
      secretEnv: { DATABASE_URL: postgres.url },
      networks: [network],
      restart: "always",
      waitHealthy: true,
      onHostMachine: "nginx, beside it, resolves web once, at its start, in its upstream block",
      engine,
    }, { parent: this, dependsOn: backends });

    const jobImage = platform.pull(`${name}-job`, "klee", this);
    const hostSocket = platform.host.socketPath;
    if (hostSocket === undefined) throw new Error("kleeweb: the workers need the engine's unix socket (config.ts checks localDockerHost for each lab that needsEngineSocket)");
    const workerImage = platform.image(`${name}-worker`, "kleeweb/worker", this);
    // The socket's group as containers see it differs per host: ask the engine, through the worker's own image.
    const socketGroup = platform.host.command(`${name}-docker-socket-group`, {
      create: pulumi.interpolate`docker run --rm --network none --entrypoint node --volume ${hostSocket}:${DOCKER_SOCKET} ${workerImage.imageId} -e "process.stdout.write(String(require('fs').statSync('${DOCKER_SOCKET}').gid))"`,
      triggers: [workerImage.imageId],
    }, this);
    new Service(`${name}-worker`, {
      lab: LAB,
      service: "worker",
      role: JOB_WORKER_ROLE,
      image: workerImage,
      replicas: settings.workers,
      env: {
        ...logLevel,
        REDIS_URL,
        RUNNER: "docker",
        JOB_IMAGE: jobImage.ref,
        DOCKER_SOCKET,
      },
      secretEnv: { DATABASE_URL: postgres.url },
      networks: [network],
      // Every node has its engine's socket, and each worker runs its jobs on its own node's engine.
      mounts: [{ source: { hostPath: hostSocket, onEveryNode: true }, target: DOCKER_SOCKET }],
      groupAdd: [socketGroup.stdout.apply((gid) => gid.trim())],
      onHostMachine: "the job image is pulled, and the socket's group read, on the host's machine",
      restart: "always",
      engine,
    }, { parent: this, dependsOn: [...backends, jobImage] });

    const nginxImage = platform.image(`${name}-nginx`, "kleeweb/nginx", this);
    new Service(`${name}-nginx`, {
      lab: LAB,
      service: "nginx",
      image: nginxImage,
      scratch: NGINX_SCRATCH,
      env: { WEB_UPSTREAM: `web:${WEB_PORT}` },
      networks: [network],
      ports: [{ container: 80, host: SITE_PORT }],
      restart: "always",
      engine,
    }, { parent: this, dependsOn: web.ready });

    this.url = platform.url(SITE_PORT);
    this.registerOutputs({ url: this.url });
  }
}

export const kleeweb: LabModule<KleewebSettings, ImageName, VolumeName> = {
  readSettings: readKleewebSettings,
  images: IMAGES,
  volumes: VOLUMES,
  fixedSubnet: (settings) => ({ key: "kleewebSubnet", subnet: settings.subnet, network: NETWORK_NAME }),
  needsEngineSocket: "its workers start job containers through the engine's socket",
  hostPorts: () => [{ port: SITE_PORT, what: "kleeweb nginx" }],
  deploy(platform: Platform<ImageName, VolumeName>, settings: KleewebSettings): LabSummary {
    const lab = new Kleeweb(LAB, { platform, settings });
    return {
      urls: { site: lab.url },
      tryIt: [
        lab.url.apply((url) => `curl -s -X POST ${url}api/jobs -H 'Content-Type: application/json' -d '{"source": "int main(void) { return 0; }"}'`),
        pulumi.output("docker logs -f kleeweb-worker-1   # meanwhile the job runs beside it: docker ps --filter label=kleeweb.job"),
      ],
    };
  },
};
