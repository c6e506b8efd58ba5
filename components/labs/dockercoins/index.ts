import * as pulumi from "@pulumi/pulumi";
import { REDIS_DATA_IN_MEMORY, SERVER_USERS } from "../../platform/images";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary } from "../lab";
import { npmPulumi, npmRun } from "../npmCommands";
import { IMAGES, NODE_SERVERS } from "./images";
import { readDockercoinsSettings, type DockercoinsSettings } from "./settings";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

const LAB = "dockercoins";
/** Host ports as the course publishes them; every service listens on 80 inside. */
export const PORTS = { webui: 8000, rng: 8001, hasher: 8002 } as const;
const SERVICE_PORT = NODE_SERVERS["dockercoins/rng"].port;

export interface DockercoinsArgs {
  platform: Platform<ImageName>;
  settings: DockercoinsSettings;
}

/**
 * The DockerCoins workshop: workers mine through rng and hasher, count in
 * redis, and webui graphs the speed. Services find each other by name; the
 * replica counts are the lesson's knob.
 */
export class Dockercoins extends pulumi.ComponentResource {
  readonly webuiUrl: pulumi.Output<string>;

  constructor(name: string, args: DockercoinsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Dockercoins", name, {}, opts);
    const { platform, settings } = args;
    const engine = platform.engine;
    const network = platform.network(`${name}-network`, { lab: LAB, networkName: LAB }, this);
    const delay = { LESSON_DELAY_MS: String(settings.lessonDelayMs) };

    const redisImage = platform.pull(`${name}-redis`, "redis", this);
    const redis = new Service(`${name}-redis`, {
      lab: LAB, service: "redis", image: redisImage, user: SERVER_USERS.redis, onHostMachine: REDIS_DATA_IN_MEMORY, networks: [network], engine,
    }, { parent: this });

    const build = (service: "rng" | "hasher" | "worker" | "webui") => platform.image(`${name}-${service}`, `dockercoins/${service}`, this);

    const lesson = (service: "rng" | "hasher", replicas: number, global = false) => new Service(`${name}-${service}`, {
      lab: LAB,
      service,
      image: build(service),
      replicas,
      global,
      env: delay,
      networks: [network],
      ports: [{ container: SERVICE_PORT, host: PORTS[service] }],
      engine,
    }, { parent: this });
    // On a swarm, one rng on every node, as in the workshop: each node's entropy, the workers' calls spread over them.
    const rng = lesson("rng", settings.rngReplicas, true);
    const hasher = lesson("hasher", settings.hasherReplicas);

    if (settings.workers > 0) {
      new Service(`${name}-worker`, {
        lab: LAB,
        service: "worker",
        image: build("worker"),
        replicas: settings.workers,
        env: { ...delay, RNG_URL: "http://rng", HASHER_URL: "http://hasher", REDIS_URL: "redis://redis:6379" },
        networks: [network],
        engine,
      }, { parent: this, dependsOn: [...redis.ready, ...rng.ready, ...hasher.ready] });
    }

    new Service(`${name}-webui`, {
      lab: LAB,
      service: "webui",
      image: build("webui"),
      env: { REDIS_URL: "redis://redis:6379" },
      networks: [network],
      ports: [{ container: SERVICE_PORT, host: PORTS.webui }],
      engine,
    }, { parent: this, dependsOn: redis.ready });

    this.webuiUrl = platform.url(PORTS.webui);
    this.registerOutputs({ webuiUrl: this.webuiUrl });
  }
}

export const dockercoins: LabModule<DockercoinsSettings, ImageName> = {
  readSettings: readDockercoinsSettings,
  images: IMAGES,
  hostPorts: () => [
    { port: PORTS.webui, what: "dockercoins webui" },
    { port: PORTS.rng, what: "dockercoins rng" },
    { port: PORTS.hasher, what: "dockercoins hasher" },
  ],
  deploy(platform: Platform<ImageName>, settings: DockercoinsSettings): LabSummary {
    const lab = new Dockercoins(LAB, { platform, settings });
    return {
      urls: { webui: lab.webuiUrl, rng: platform.url(PORTS.rng), hasher: platform.url(PORTS.hasher) },
      tryIt: [
        lab.webuiUrl.apply((url) => `curl -s ${url}json; echo   # the hashes mined so far; open ${url} in a browser to watch the speed`),
        pulumi.output(`${npmPulumi(pulumi.getStack(), "config", "set", "dockercoinsWorkers", "4")} && ${npmRun("up", pulumi.getStack())}   # 4 workers: the speed climbs to rng's ceiling, about 10 hashes/s`),
        platform.url(PORTS.rng, "/32").apply((url) => `curl -s ${url} | od -An -tx1 | head -2`),
      ],
    };
  },
};
