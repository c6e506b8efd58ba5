import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { HostCommandArgs, SwarmShape } from "./host";
import type { Network } from "./network";
import type { Volume } from "./volume";

/*
 * What a lab hands the platform for one of its services, and what the
 * platform gives every service: the types both the containers (service.ts)
 * and the swarm services (swarmService.ts) are made from.
 */

export interface PublishedPort {
  /** The port inside the container. */
  container: number;
  /** The lab's published host port (the platform may remap it, see portRemap). */
  host: number;
  /** Bind on this host address only, e.g. 127.0.0.1 for a port that must never leave the host; unset: the platform's publish address. */
  hostIp?: string;
}

export interface Mount {
  /**
   * A named volume, or an absolute directory on the Docker host. On a swarm,
   * a service that mounts either runs on the node that holds them (the
   * stateful node), unless the directory is `onEveryNode` (the engine's socket).
   */
  source: Volume | { hostPath: pulumi.Input<string>; onEveryNode?: boolean };
  target: string;
  readOnly?: boolean;
}

export interface Healthcheck {
  test: pulumi.Input<string>[];
  intervalSeconds?: number;
  retries?: number;
}

/** What a Service needs of the platform: the engine, the host-port mapping, and where ports are published. */
export interface Engine {
  docker: docker.Provider;
  /** The stack: every container is labelled with it, so `npm run up` can tell another stack's containers on the engine. */
  stack: string;
  hostPort(published: number): number;
  /** The host address ports are published on unless a port says otherwise. */
  publishAddress: string;
  /** Why ports are published beyond loopback (labelled for the policy pack); undefined when they are not. */
  exposure?: string;
  /** The host's machine (DockerHost.machineIdentity): a new one gets every container made again. */
  machineIdentity?: pulumi.Input<string>;
  /** Runs a shell command on the Docker host (for what the Docker provider cannot set). */
  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): pulumi.Resource;
  /** Set when the host is a swarm of machines: services then run as swarm services (swarmService.ts). */
  swarm?: SwarmEngine;
}

/** A lab image as Platform.image and Platform.pull make it present. */
export interface ServiceImage {
  /** The image ID on the host: what a container runs. */
  imageId: pulumi.Input<string>;
  /** Its digest-pinned reference in a registry: what every node of a swarm pulls. */
  ref: pulumi.Input<string>;
}

/** Resource limits of each container (CIS Docker Benchmark 5.10, 5.11, 5.28). */
export interface Limits {
  memoryMb: number;
  /** Relative CPU weight (Docker's default is 1024): lab containers yield to the rest of the machine. */
  cpuShares: number;
  /** Processes and threads the container may hold: a fork bomb stops there. */
  pids: number;
}

/**
 * memoryMb, from measurement: the cgroup peaks of the ci stack's containers
 * (page cache included) read while the deployment tests ran on it, and the
 * lab benchmarks. The highest was 94 MiB (webstack-app with 2 workers; Node
 * services 42-61 MiB, PostgreSQL 80, nginx, redis and docker-basics under
 * 15), and the heaviest load measured, hasher under a flood of 1 MiB bodies,
 * reached 131 MiB as a process (README, dockercoins): 256 MiB is 2.7 times the
 * first and 1.9 times the second. `npm run bench memory` prints each
 * container's peak beside its limit. A limit reserves nothing, so a lower one
 * would not shrink the stack; it would only stop a student's service sooner.
 * Node also sizes its V8 heap from it (a 259 MB heap limit at 256 MiB, against
 * 4 GB as a process here), which is why a Node service holds less in a
 * container than as a process on a large machine.
 */
export const DEFAULT_LIMITS: Limits = { memoryMb: 256, cpuShares: 512, pids: 256 };

export interface ServiceArgs {
  lab: string;
  /** The service's name: its network alias, so other containers reach it by this name. */
  service: string;
  /** The container's name; unset: <lab>-<service>, unique across labs sharing an engine. */
  containerName?: string;
  /** The image (an Image): containers run its ID, swarm services its digest-pinned reference. */
  image: ServiceImage;
  /**
   * N containers sharing the service's network alias; only the first publishes `ports` (a host port is taken once).
   * On a swarm: N tasks, spread over the nodes.
   */
  replicas?: number;
  /** On a swarm: one task on every node instead of `replicas` (swarm's global mode). A single host runs `replicas`. */
  global?: boolean;
  entrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  command?: pulumi.Input<pulumi.Input<string>[]>;
  env?: Record<string, pulumi.Input<string>>;
  /** Environment values that are secrets: the container's whole env list is then stored as a secret. */
  secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Keys of secretEnv that the image also reads from a file named by `<KEY>_FILE`
   * (the official images' convention, e.g. POSTGRES_PASSWORD_FILE). On a swarm
   * they go in as swarm secrets, files under /run/secrets, and leave the environment.
   */
  secretFiles?: string[];
  /**
   * Why the service must run on the host's machine (on a swarm, the stateful
   * node; a single host has no other), when nothing it mounts says so: it
   * keeps lab data in memory (redis), a proxy reaches it at the address it
   * resolved once at its start, or it relies on what the host's own commands
   * and pulls left there (DockerHost.command, Platform.pull).
   */
  onHostMachine?: string;
  /** The networks it joins, reached there by `service`; none: no network at all. */
  networks: Network[];
  ports?: PublishedPort[];
  mounts?: Mount[];
  /** The image's own HEALTHCHECK applies unless overridden here, or switched off with "none". */
  healthcheck?: Healthcheck | "none";
  /** Runs to completion once per deployment (demo clients, loaders) instead of being kept running. */
  oneShot?: boolean;
  /** Creation waits until the container reports healthy, so dependants start after it. */
  waitHealthy?: boolean;
  restart?: "unless-stopped" | "always" | "on-failure";
  user?: pulumi.Input<string>;
  groupAdd?: pulumi.Input<pulumi.Input<string>[]>;
  /** A role the policy pack recognises, e.g. "job-worker" for the only containers allowed the Docker socket. */
  role?: string;
  /** Overrides of DEFAULT_LIMITS for this service. */
  limits?: Partial<Limits>;
  /** Capabilities given back after all are dropped, for images whose entrypoint itself changes user or ownership. */
  capAdd?: string[];
  /**
   * Unset: the root filesystem is read-only (with a small tmpfs at /tmp). Set
   * to the reason the image must write to it (a third-party entrypoint that
   * renders its config at start, say); the policy pack reads that label.
   */
  writableRoot?: string;
  /**
   * Directories the image writes to besides /tmp (a server's socket directory,
   * a rendered config), each a small tmpfs under the read-only root. Docker
   * gives each the mode of the image's directory but root as owner: ownerUid
   * names the user that must write there.
   */
  scratch?: { dirs: string[]; ownerUid?: number };
  engine: Engine;
}

/** What Service needs of a swarm: its shape, and the account nodes pull lab images with. */
export interface SwarmEngine extends SwarmShape {
  /** The registry's pull account; none when images are pulled without one. */
  pullAuth?: { serverAddress: string; username: string; password: pulumi.Input<string> };
}
