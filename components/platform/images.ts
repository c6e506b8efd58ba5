import type { ExternalImage } from "../../policy/lib/externalImages";

/** The pinned external images, whose one list the test kit and the stand-in build read too. */
export { EXTERNAL_IMAGES, EXTERNAL_IMAGE_NAMES, type ExternalImage } from "../../policy/lib/externalImages";

/**
 * The unprivileged user of each server image we run as it is. Their
 * entrypoints, started as root, chown the data directory and switch to this
 * user, which takes capabilities every container drops (service.ts). Started
 * as this user they skip that step, and a fresh volume already belongs to it:
 * Docker copies the image's directory into it, owner included. A fact of the
 * pinned image (a mirror or a stand-in keeps it), whichever lab runs it:
 * redis serves dockercoins and kleeweb, postgres the labs' shared Postgres.
 */
export const SERVER_USERS = { redis: "redis", postgres: "postgres" } as const satisfies Partial<Record<ExternalImage, string>>;

/**
 * What nginx writes in our images built FROM it, which run as the unprivileged
 * nginx user (uid 101 in the official image; see their Dockerfiles): the
 * config the official entrypoint renders at start, and the temp files.
 */
export const NGINX_SCRATCH = { dirs: ["/etc/nginx/conf.d", "/var/cache/nginx"], ownerUid: 101 };

/** Why a redis server runs on the host's machine (ServiceArgs.onHostMachine): a lab's data is in its memory, with no volume. */
export const REDIS_DATA_IN_MEMORY = "redis keeps the lab's data in memory";
