/**
 * The program test/toolchain/docker-smoke.sh deploys on a real engine with the
 * toolchain's pulumi-resource-docker: a Network, a Volume, a RemoteImage of a
 * stand-in image, a Tag, and containers given every input that
 * components/platform/service.ts sets, in its three shapes (a long-running
 * service, one with no network, a one-shot job).
 *
 * Config: host (the engine), image (a reference present in the engine: nothing
 * is pulled), prefix (of every name, so runs never collide on a shared
 * engine), port (the host port published on 127.0.0.1), generation (an
 * environment value: changing it replaces the server).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const prefix = config.require("prefix");
const port = config.requireNumber("port");
const labels = [
  { label: "container-labs.lab", value: "toolchain-smoke" },
  { label: "container-labs.service", value: "cache" },
];

const engine = new docker.Provider("engine", { host: config.require("host") });
const opts = { provider: engine };

const network = new docker.Network("network", { name: `${prefix}-net`, driver: "bridge", labels }, { ...opts, deleteBeforeReplace: true });
const volume = new docker.Volume("volume", { name: `${prefix}-data`, labels }, opts);
// keepLocally: destroy leaves the stand-in image in the engine, where others use it.
const image = new docker.RemoteImage("image", { name: config.require("image"), keepLocally: true }, opts);
const tag = new docker.Tag("tag", { sourceImage: image.imageId, targetImage: `container-labs-smoke/${prefix}:tagged` }, opts);

/** What service.ts gives every container, whatever its shape. */
const hardening = {
  image: image.imageId,
  labels,
  user: "999:999",
  groupAdds: ["999"],
  memory: 256,
  cpuShares: 512,
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  readOnly: true,
  tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
  logDriver: "json-file",
  logOpts: { "max-size": "10m", "max-file": "3" },
};
// Redis as the stand-in runs it, minus its entrypoint script (which needs root to hand /data to redis).
/**
 * Given a memory limit and no memorySwap, the daemon sets swap to twice the
 * memory, the provider reads that back, and every preview proposes to remove
 * it: a perpetual diff. Two ways out, one shown on each long-running container:
 * ignoreChanges (service.ts as it is), or memorySwap equal to memory (no swap).
 */
const IGNORE_DAEMON_SWAP = { ignoreChanges: ["memorySwap"] };
const NO_SWAP = { memorySwap: hardening.memory };

const redisServer = { entrypoints: ["redis-server"], command: ["--protected-mode", "no", "--appendonly", "no"] };

const server = new docker.Container(
  "server",
  {
    ...hardening,
    ...redisServer,
    name: `${prefix}-cache`,
    envs: [`GENERATION=${config.require("generation")}`, "REDIS_ROLE=cache"],
    networksAdvanced: [{ name: network.name, aliases: ["cache"] }],
    ports: [{ internal: 6379, external: port, ip: "127.0.0.1", protocol: "tcp" }],
    volumes: [{ volumeName: volume.name, containerPath: "/data", readOnly: false }],
    healthcheck: { tests: ["CMD", "redis-cli", "ping"], interval: "2s", timeout: "5s", retries: 3, startPeriod: "10s" },
    restart: "unless-stopped",
    attach: false,
    logs: false,
    mustRun: true,
    wait: true,
    waitTimeout: 120,
  },
  { ...opts, ...IGNORE_DAEMON_SWAP, deleteBeforeReplace: true },
);

const isolated = new docker.Container(
  "isolated",
  {
    ...hardening,
    ...redisServer,
    ...NO_SWAP,
    name: `${prefix}-isolated`,
    networkMode: "none",
    healthcheck: { tests: ["NONE"] },
    restart: "unless-stopped",
    attach: false,
    logs: false,
    mustRun: true,
    wait: false,
  },
  { ...opts, deleteBeforeReplace: true },
);

// A one-shot job: creation waits for it to exit and keeps its output; it reaches the server by its alias.
const job = new docker.Container(
  "job",
  {
    ...hardening,
    name: `${prefix}-job`,
    entrypoints: ["redis-cli"],
    command: ["-h", "cache", "ping"],
    networksAdvanced: [{ name: network.name, aliases: ["job"] }],
    restart: "no",
    attach: true,
    logs: true,
    mustRun: false,
    wait: false,
  },
  { ...opts, ...IGNORE_DAEMON_SWAP, deleteBeforeReplace: true, dependsOn: [server] },
);

export const serverName = server.name;
export const serverId = server.id;
export const isolatedName = isolated.name;
export const jobLogs = job.containerLogs;
export const networkName = network.name;
export const volumeName = volume.name;
export const imageId = image.imageId;
export const tagTarget = tag.targetImage;
