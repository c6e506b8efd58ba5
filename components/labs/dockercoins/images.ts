import { nodeServices } from "../../platform/image";
import type { LabImages } from "../lab";

/** Each server's contract as its image states it (EXPOSE and the HEALTHCHECK's route): the lab publishes and addresses the same ports. */
export const NODE_SERVERS = {
  "dockercoins/rng": { port: 80, healthPath: "/health" },
  "dockercoins/hasher": { port: 80, healthPath: "/health" },
  "dockercoins/worker": { port: 8080, healthPath: "/health" },
  "dockercoins/webui": { port: 80, healthPath: "/health" },
} as const;

/** The lab's images and how each is built. */
export const IMAGES = nodeServices(NODE_SERVERS) satisfies LabImages;
