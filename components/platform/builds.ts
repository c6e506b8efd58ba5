import { lessonDockerfile, nginxDockerfile, nodeJob, nodeService, type BuildSource } from "./image";

/**
 * Each Node server's contract as its image states it (EXPOSE and the
 * HEALTHCHECK's route): the labs publish and address the same ports.
 */
export const NODE_SERVERS = {
  "notifications/notifications-service": { port: 3000, healthPath: "/health" },
  "cmpt756/s1": { port: 30000, healthPath: "/api/v1/user/health" },
  "cmpt756/s2": { port: 30001, healthPath: "/api/v1/music/health" },
  "cmpt756/db": { port: 30002, healthPath: "/api/v1/datastore/health" },
  "webstack/app": { port: 5000, healthPath: "/health" },
  "dockercoins/rng": { port: 80, healthPath: "/health" },
  "dockercoins/hasher": { port: 80, healthPath: "/health" },
  "dockercoins/worker": { port: 8080, healthPath: "/health" },
  "dockercoins/webui": { port: 80, healthPath: "/health" },
  "kleeweb/web": { port: 8000, healthPath: "/health" },
  "kleeweb/worker": { port: 8001, healthPath: "/health" },
} as const;

/** Directories webstack's app writes, on named volumes: its image makes them and gives them to its user. */
export const WEBSTACK_APP_DIRS = { static: "/home/app/web/staticfiles", media: "/home/app/web/mediafiles" } as const;

/**
 * How each of the labs' 18 images is built: the one list of the labs' images,
 * which the program (Platform.image, config's imageOverrides) and the tests
 * (static checks, real builds) read.
 */
export const IMAGE_BUILDS = {
  "docker-basics/signals-exec": lessonDockerfile("images/docker-basics/signals", "Dockerfile.exec"),
  "docker-basics/signals-shell": lessonDockerfile("images/docker-basics/signals", "Dockerfile.shell"),
  "docker-basics/volume-writer": lessonDockerfile("images/docker-basics/volume-writer"),
  "docker-basics/tcp-server": lessonDockerfile("images/docker-basics/tcp-server"),
  "notifications/notifications-service": nodeService("notifications/notifications-service", NODE_SERVERS["notifications/notifications-service"]),
  "notifications/latency-probe": nodeJob("notifications/latency-probe"),
  "cmpt756/s1": nodeService("cmpt756/s1", NODE_SERVERS["cmpt756/s1"]),
  "cmpt756/s2": nodeService("cmpt756/s2", NODE_SERVERS["cmpt756/s2"]),
  "cmpt756/db": nodeService("cmpt756/db", NODE_SERVERS["cmpt756/db"]),
  "webstack/app": nodeService("webstack/app", { ...NODE_SERVERS["webstack/app"], writableDirs: Object.values(WEBSTACK_APP_DIRS) }),
  "webstack/nginx": nginxDockerfile("images/webstack/nginx"),
  "dockercoins/rng": nodeService("dockercoins/rng", NODE_SERVERS["dockercoins/rng"]),
  "dockercoins/hasher": nodeService("dockercoins/hasher", NODE_SERVERS["dockercoins/hasher"]),
  "dockercoins/worker": nodeService("dockercoins/worker", NODE_SERVERS["dockercoins/worker"]),
  "dockercoins/webui": nodeService("dockercoins/webui", NODE_SERVERS["dockercoins/webui"]),
  "kleeweb/web": nodeService("kleeweb/web", NODE_SERVERS["kleeweb/web"]),
  "kleeweb/worker": nodeService("kleeweb/worker", NODE_SERVERS["kleeweb/worker"]),
  "kleeweb/nginx": nginxDockerfile("images/kleeweb/nginx"),
} as const satisfies Readonly<Record<string, BuildSource>>;

/** One of the labs' images, as `<lab>/<service>`: the keys `imageOverrides` accepts. */
export type BuiltImage = keyof typeof IMAGE_BUILDS;
export const BUILT_IMAGES = Object.keys(IMAGE_BUILDS) as BuiltImage[];
