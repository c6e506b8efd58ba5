import { nginxDockerfile, nodeServices } from "../../platform/image";
import type { LabImages } from "../lab";

/** Directories webstack's app writes, on named volumes: its image makes them and gives them to its user. */
export const WEBSTACK_APP_DIRS = { static: "/home/app/web/staticfiles", media: "/home/app/web/mediafiles" } as const;

/** The app's contract as its image states it (EXPOSE and the HEALTHCHECK's route): nginx proxies to the same port. */
export const NODE_SERVERS = {
  "webstack/app": { port: 5000, healthPath: "/health", writableDirs: Object.values(WEBSTACK_APP_DIRS) },
} as const;

/** The lab's images and how each is built. */
export const IMAGES = { ...nodeServices(NODE_SERVERS), "webstack/nginx": nginxDockerfile("images/webstack/nginx") } satisfies LabImages;
