import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostCommandArgs } from "./host";
import { onMachine } from "./onMachine";
import { isLoopbackAddress } from "../../policy/lib/addresses";
import { ownerLabels } from "./labels";
import type { Network } from "./network";
import { healthcheckTimings, LOG_ROTATION, TMPFS_SIZE_MB } from "./serviceDefaults";
import { swarmService, type SwarmEngine } from "./swarmService";
import { Volume } from "./volume";

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

/**
 * Why a one-shot container has no pids limit (the policy pack's label): the
 * provider creates, starts and waits out such a container in one step, and the
 * limit can only be set afterwards (see limitProcesses). One-shots are the
 * demo clients and the course's loader, each run once and then gone.
 */
const ONE_SHOT_PIDS = "one-shot: it runs to its end while the Docker provider creates it, and the provider has no pids-limit input";

const TMPFS_OPTIONS = `rw,noexec,nosuid,size=${TMPFS_SIZE_MB}m`;

function envList(env: Record<string, pulumi.Input<string>>): pulumi.Output<string[]> {
  return pulumi.all(Object.entries(env).map(([key, value]) => pulumi.interpolate`${key}=${value}`));
}

/**
 * One lab service as a container (or N replicas behind one network alias),
 * with the project's defaults: labels naming lab and service, rotated json-file
 * logs, a restart policy, removal before replacement (names and host ports
 * are fixed), and hardening: memory, CPU and process limits, every capability
 * dropped, no-new-privileges, a read-only root filesystem where the image
 * allows it, and ports on the platform's publish address (loopback locally).
 */
export class Service extends pulumi.ComponentResource {
  /** Its containers on a single host; none on a swarm, where the swarm runs the service's tasks. */
  readonly containers: docker.Container[];
  readonly containerNames: pulumi.Output<string[]>;
  /** What a dependant waits for: the containers, or the swarm service (created once its tasks run). */
  readonly ready: pulumi.Resource[];
  /** The IDs of what runs it (its containers, or the swarm service): a new one has none of what was done to the old. */
  readonly instanceIds: pulumi.Output<string[]>;
  /**
   * A shell word that names one running container of the service, for a
   * `docker exec` by a command on the Docker host (Engine.command): its
   * container's name, or on a swarm the container of its task on that host
   * (a stateful service's, which runs on the stateful node).
   */
  readonly execTarget: pulumi.Output<string>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Service", name, {}, opts);
    const replicas = args.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new Error(`${args.lab}/${args.service}: replicas must be a positive integer, got ${replicas}`);
    }
    const limits = { ...DEFAULT_LIMITS, ...args.limits };
    const baseName = args.containerName ?? `${args.lab}-${args.service}`;
    if (args.engine.swarm) {
      const service = swarmService(name, { ...args, name: baseName, replicas, limits, swarm: args.engine.swarm }, this, opts?.dependsOn);
      this.containers = [];
      this.containerNames = pulumi.output([]);
      this.ready = [service];
      this.instanceIds = pulumi.all([service.id]);
      this.execTarget = pulumi.output(`"$(docker ps --quiet --filter label=com.docker.swarm.service.name=${baseName} | head -n 1)"`);
      this.registerOutputs({ serviceName: service.name });
      return;
    }
    const plainEnv = envList(args.env ?? {});
    const secretEnv = args.secretEnv ?? {};
    const envs = Object.keys(secretEnv).length > 0
      ? pulumi.secret(pulumi.all([plainEnv, envList(secretEnv)]).apply(([plain, secret]) => [...plain, ...secret]))
      : plainEnv;
    const ports = args.ports?.map((port) => ({
      internal: port.container,
      external: args.engine.hostPort(port.host),
      ip: port.hostIp ?? args.engine.publishAddress,
      protocol: "tcp",
    }));
    const exposed = ports?.some((port) => !isLoopbackAddress(port.ip));

    this.containers = Array.from({ length: replicas }, (_, index) => {
      const suffix = replicas > 1 ? `-${index + 1}` : "";
      return new docker.Container(
        `${name}${suffix}`,
        {
          name: `${baseName}${suffix}`,
          image: args.image.imageId,
          entrypoints: args.entrypoint,
          command: args.command,
          envs,
          labels: ownerLabels({
            lab: args.lab,
            stack: args.engine.stack,
            service: args.service,
            role: args.role,
            exposure: index === 0 && exposed ? args.engine.exposure : undefined,
            writableRoot: args.writableRoot,
            noPidsLimit: args.oneShot ? ONE_SHOT_PIDS : undefined,
          }),
          networksAdvanced: args.networks.map((network) => ({ name: network.name, aliases: [args.service], gwPriority: network.gatewayPriority })),
          networkMode: args.networks.length === 0 ? "none" : undefined,
          ports: index > 0 ? undefined : ports,
          volumes: args.mounts?.map((mount) => ({
            containerPath: mount.target,
            readOnly: mount.readOnly ?? false,
            ...(mount.source instanceof Volume ? { volumeName: mount.source.name } : { hostPath: mount.source.hostPath }),
          })),
          // Docker fills every zero field of a container's healthcheck from the image's, NONE or not, so a
          // disabled one states its timings too: otherwise a new container reads back other values than the
          // program's, and the next `up` shows a diff.
          healthcheck: args.healthcheck === "none"
            ? { tests: ["NONE"], ...healthcheckTimings() }
            : args.healthcheck && { tests: args.healthcheck.test, ...healthcheckTimings(args.healthcheck) },
          restart: args.oneShot ? "no" : (args.restart ?? "unless-stopped"),
          // A one-shot container is attached until it exits; its exit is the deployment step.
          attach: args.oneShot ?? false,
          logs: args.oneShot ?? false,
          mustRun: !args.oneShot,
          wait: args.waitHealthy ?? false,
          waitTimeout: args.waitHealthy ? 120 : undefined,
          user: args.user,
          groupAdds: args.groupAdd,
          memory: limits.memoryMb,
          // Equal to memory: no swap beyond the limit. Left unset, Docker picks twice the memory, which shows as a diff after an in-place update.
          memorySwap: limits.memoryMb,
          cpuShares: limits.cpuShares,
          capabilities: { drops: ["ALL"], adds: args.capAdd },
          securityOpts: ["no-new-privileges:true"],
          readOnly: args.writableRoot === undefined,
          tmpfs: args.writableRoot === undefined
            ? {
                "/tmp": TMPFS_OPTIONS,
                ...Object.fromEntries((args.scratch?.dirs ?? []).map((dir) => [dir, args.scratch?.ownerUid === undefined ? TMPFS_OPTIONS : `${TMPFS_OPTIONS},uid=${args.scratch.ownerUid}`])),
              }
            : undefined,
          logDriver: "json-file",
          logOpts: LOG_ROTATION,
        },
        {
          parent: this,
          provider: args.engine.docker,
          deleteBeforeReplace: true,
          // The provider updates tmpfs "in place" without touching the container (kreuzwerker's schema lacks ForceNew there).
          replaceOnChanges: ["tmpfs"],
          ...onMachine(args.engine.machineIdentity),
          // The component's dependsOn is handed to each container, so a container starts only after what the service waits for.
          dependsOn: opts?.dependsOn,
          // The secrecy of the env input is also what the policy pack sees: it gets inputs decrypted.
          additionalSecretOutputs: Object.keys(secretEnv).length > 0 ? ["envs"] : undefined,
        },
      );
    });
    this.containerNames = pulumi.all(this.containers.map((container) => container.name));
    this.ready = this.containers;
    this.instanceIds = pulumi.all(this.containers.map((container) => container.id));
    this.execTarget = this.containerNames.apply(([first]) => first);
    if (!args.oneShot) this.limitProcesses(name, limits.pids, args.engine);
    this.registerOutputs({ containerNames: this.containerNames });
  }

  /**
   * The Docker provider has no pids limit (neither @pulumi/docker 5.2's
   * Container nor kreuzwerker's docker_container it bridges has an input for
   * the Docker API's HostConfig.PidsLimit), so the engine gets it with
   * `docker update` right after the container starts, again whenever a
   * container is replaced (a new ID). The limit stays with the container
   * across restarts. The policy pack finds this command among the resources
   * that depend on each container.
   */
  private limitProcesses(name: string, pids: number, engine: Engine): void {
    const ids = this.instanceIds;
    engine.command(`${name}-pids-limit`, {
      create: ids.apply((list) => `docker update --pids-limit ${pids} ${list.join(" ")} >/dev/null`),
      triggers: [ids, pids],
      dependsOn: this.containers,
    }, this);
  }
}
