import { nodeServices } from "../../platform/image";
import type { LabImages } from "../lab";

/** Each server's contract as its image states it (EXPOSE and the HEALTHCHECK's route): the lab publishes and addresses the same ports. */
export const NODE_SERVERS = {
  "cmpt756/s1": { port: 30000, healthPath: "/api/v1/user/health" },
  "cmpt756/s2": { port: 30001, healthPath: "/api/v1/music/health" },
  "cmpt756/db": { port: 30002, healthPath: "/api/v1/datastore/health" },
} as const;

/** The lab's images and how each is built. */
export const IMAGES = nodeServices(NODE_SERVERS) satisfies LabImages;
