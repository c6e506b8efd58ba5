import { nginxDockerfile, nodeServices } from "../../platform/image";
import type { LabImages } from "../lab";

/** Each server's contract as its image states it (EXPOSE and the HEALTHCHECK's route): the lab publishes and addresses the same ports. */
export const NODE_SERVERS = {
  "kleeweb/web": { port: 8000, healthPath: "/health" },
  "kleeweb/worker": { port: 8001, healthPath: "/health" },
} as const;

/** The lab's images and how each is built. */
export const IMAGES = { ...nodeServices(NODE_SERVERS), "kleeweb/nginx": nginxDockerfile("images/kleeweb/nginx") } satisfies LabImages;
