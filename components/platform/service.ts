import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ownerLabels } from "./labels";
import type { Network } from "./network";
import { Volume } from "./volume";

export interface PublishedPort {
  /** The port inside the container. */
  container: number;
  /** The lab's published host port (the platform may remap it, see portRemap). */
  host: number;
  /** Bind on this host address only, e.g. 127.0.0.1 for a port that must not leave the host. */
  hostIp?: string;
}

export interface Mount {
  /** A named volume, or an absolute directory on the Docker host. */
  source: Volume | { hostPath: pulumi.Input<string> };
  target: string;
  readOnly?: boolean;
}

export interface Healthcheck {
  test: pulumi.Input<string>[];
  intervalSeconds?: number;
  retries?: number;
}

/** What a Service needs of the platform: the engine and the host-port mapping. */
export interface Engine {
  docker: docker.Provider;
  hostPort(published: number): number;
}

export interface ServiceArgs {
  lab: string;
  /** The service's name: its network alias, so other containers reach it by this name. */
  service: string;
  /** The container's name; unset: <lab>-<service>, unique across labs sharing an engine. */
  containerName?: string;
  /** Image ID or digest-pinned reference (from Image). */
  image: pulumi.Input<string>;
  /** N containers sharing the service's network alias; only the first publishes `ports` (a host port is taken once). */
  replicas?: number;
  entrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  command?: pulumi.Input<pulumi.Input<string>[]>;
  env?: Record<string, pulumi.Input<string>>;
  /** Environment values that are secrets: the container's whole env list is then stored as a secret. */
  secretEnv?: Record<string, pulumi.Input<string>>;
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
  engine: Engine;
}

const LOG_ROTATION = { "max-size": "10m", "max-file": "3" };

function envList(env: Record<string, pulumi.Input<string>>): pulumi.Output<string[]> {
  return pulumi.all(Object.entries(env).map(([key, value]) => pulumi.interpolate`${key}=${value}`));
}

/**
 * One lab service as a container (or N replicas behind one network alias),
 * with the project's defaults: labels naming lab and service, rotated json-file
 * logs, a restart policy, and removal before replacement because names and
 * host ports are fixed.
 */
export class Service extends pulumi.ComponentResource {
  readonly containers: docker.Container[];
  readonly containerNames: pulumi.Output<string[]>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Service", name, {}, opts);
    const replicas = args.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new Error(`${args.lab}/${args.service}: replicas must be a positive integer, got ${replicas}`);
    }
    const baseName = args.containerName ?? `${args.lab}-${args.service}`;
    const plainEnv = envList(args.env ?? {});
    const secretEnv = args.secretEnv ?? {};
    const envs = Object.keys(secretEnv).length > 0
      ? pulumi.secret(pulumi.all([plainEnv, envList(secretEnv)]).apply(([plain, secret]) => [...plain, ...secret]))
      : plainEnv;

    this.containers = Array.from({ length: replicas }, (_, index) => {
      const suffix = replicas > 1 ? `-${index + 1}` : "";
      return new docker.Container(
        `${name}${suffix}`,
        {
          name: `${baseName}${suffix}`,
          image: args.image,
          entrypoints: args.entrypoint,
          command: args.command,
          envs,
          labels: ownerLabels({ lab: args.lab, service: args.service, role: args.role }),
          networksAdvanced: args.networks.map((network) => ({ name: network.name, aliases: [args.service], gwPriority: network.gatewayPriority })),
          ports: index > 0 ? undefined : args.ports?.map((port) => ({
            internal: port.container,
            external: args.engine.hostPort(port.host),
            ip: port.hostIp ?? "0.0.0.0",
            protocol: "tcp",
          })),
          volumes: args.mounts?.map((mount) => ({
            containerPath: mount.target,
            readOnly: mount.readOnly ?? false,
            ...(mount.source instanceof Volume ? { volumeName: mount.source.name } : { hostPath: mount.source.hostPath }),
          })),
          healthcheck: args.healthcheck === "none"
            ? { tests: ["NONE"] }
            : args.healthcheck && {
                tests: args.healthcheck.test,
                interval: `${args.healthcheck.intervalSeconds ?? 10}s`,
                timeout: "5s",
                retries: args.healthcheck.retries ?? 3,
                startPeriod: "10s",
              },
          restart: args.oneShot ? "no" : (args.restart ?? "unless-stopped"),
          // A one-shot container is attached until it exits; its exit is the deployment step.
          attach: args.oneShot ?? false,
          logs: args.oneShot ?? false,
          mustRun: !args.oneShot,
          wait: args.waitHealthy ?? false,
          waitTimeout: args.waitHealthy ? 120 : undefined,
          user: args.user,
          groupAdds: args.groupAdd,
          logDriver: "json-file",
          logOpts: LOG_ROTATION,
        },
        {
          parent: this,
          provider: args.engine.docker,
          deleteBeforeReplace: true,
          // The component's dependsOn is handed to each container, so a container starts only after what the service waits for.
          dependsOn: opts?.dependsOn,
          // The secrecy of the env input is also what the policy pack sees: it gets inputs decrypted.
          additionalSecretOutputs: Object.keys(secretEnv).length > 0 ? ["envs"] : undefined,
        },
      );
    });
    this.containerNames = pulumi.all(this.containers.map((container) => container.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }
}
