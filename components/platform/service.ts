import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { onMachine } from "./onMachine";
import { isLoopbackAddress } from "../../policy/lib/addresses";
import { ownerLabels } from "./labels";
import { healthcheckSpec, LOG_ROTATION, TMPFS_SIZE_MB } from "./serviceDefaults";
import { DEFAULT_LIMITS, type Engine, type ServiceArgs } from "./serviceArgs";
import { swarmService } from "./swarmService";
import { Volume } from "./volume";


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
      const service = swarmService(name, { ...args, name: baseName, replicas, scalable: args.replicas !== undefined, limits, swarm: args.engine.swarm }, this, opts?.dependsOn);
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
          healthcheck: healthcheckSpec(args.healthcheck),
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
