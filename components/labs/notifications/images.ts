import { nodeJob, nodeServices } from "../../platform/image";
import type { LabImages } from "../lab";

/** The service's contract as its image states it (EXPOSE and the HEALTHCHECK's route): the lab publishes and addresses the same port. */
export const NODE_SERVERS = {
  "notifications/notifications-service": { port: 3000, healthPath: "/health" },
} as const;

/** The lab's images and how each is built: the service, and the one-shot latency probe. */
export const IMAGES = { ...nodeServices(NODE_SERVERS), "notifications/latency-probe": nodeJob("notifications/latency-probe") } satisfies LabImages;
