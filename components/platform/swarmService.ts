/**
 * A lab service as a Docker Swarm service, when the host is a swarm of
 * machines (DockerHost.swarm): what Service makes instead of containers there.
 * Labs do not ask which; they describe a service once (ServiceArgs).
 *
 * Carried over from a container, with the same values: the name, the network
 * alias, the image (by its digest-pinned reference: every node pulls it, with
 * the registry's pull account), entrypoint and command, environment, user and
 * groups, labels (on the service and on its tasks' containers), every
 * capability dropped and the ones given back, the read-only root with its
 * tmpfs scratch directories, the healthcheck, the memory limit, rotated
 * json-file logs and the restart policy.
 *
 * What a swarm service cannot carry, as @pulumi/docker 5.2's Service (and the
 * Docker 20.10 API behind it) has no field for it, each labelled where the
 * policy pack would look for it on a container:
 * - no-new-privileges (no security option in a swarm container spec);
 * - the pids limit (no input, and `docker update` reaches only the containers
 *   of the machine it runs on): labelled LABELS.noPidsLimit;
 * - the CPU share (swarm has CPU limits and reservations in whole CPUs, not a
 *   relative weight) and the swap limit;
 * - a tmpfs owner (a swarm tmpfs takes a size and a mode; over a directory of
 *   the image it takes that directory's mode with root as owner, so an image
 *   whose unprivileged user writes there makes it mode 1777, as /tmp is:
 *   the nginx images) and its mount flags;
 * - a bind address for a published port: a port is open on every address of
 *   the node that runs the task (host mode) or of every node (ingress), so it
 *   carries the exposure label;
 * - a gateway priority (the EC2 credentials network; no swarm there yet).
 *
 * One-shot services (demo clients, loaders): @pulumi/docker 5.2 has no swarm
 * job mode, so a one-shot is one task that is never restarted (restart
 * condition `none`): it runs once when the service is created or changed, as
 * a one-shot container does, but `up` does not wait for its end.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { SwarmShape } from "./host";
import { ownerLabels } from "./labels";
import type { Limits, Mount, ServiceArgs, SwarmEngine } from "./serviceArgs";
import { healthcheckSpec, LOG_ROTATION, TMPFS_SIZE_MB } from "./serviceDefaults";
import { Volume } from "./volume";

/** Where a swarm secret's file is mounted in the service's containers. */
export const SECRETS_DIR = "/run/secrets";

/** Why a swarm service's published ports carry the exposure label. */
export const SWARM_PORT_EXPOSURE = "swarm: a service's port has no bind address, it is open on every address of the nodes that publish it";

/** Why no pids limit reaches a swarm service's containers (the policy pack's label). */
export const SWARM_NO_PIDS_LIMIT = "swarm service: @pulumi/docker's Service has no pids-limit input, and docker update reaches only one machine's containers";

/** How long `up` waits for a service's tasks to run (and be healthy, when they have a healthcheck). */
const CONVERGE_TIMEOUT = "5m";

export interface SwarmServiceArgs extends ServiceArgs {
  /** The service's name in the swarm: the container's name on a single host. */
  name: string;
  replicas: number;
  /** Whether the lab gives the replica count (a setting of the lab's), which then changes with `docker service scale`. */
  scalable: boolean;
  limits: Limits;
  swarm: SwarmEngine;
}

/** The placement constraint of the stateful node: a service with data or host directories runs there. */
export function statefulConstraint(swarm: SwarmShape): string {
  return `node.labels.${swarm.statefulNode.label} == ${swarm.statefulNode.value}`;
}

/**
 * Whether the service must run on the stateful node, the machine the host's
 * address, commands and volumes are on: it mounts what only that node holds
 * (a named volume, a directory made on the host), says why it must run there
 * (ServiceArgs.onHostMachine), or is the one task of a port the URLs name at the
 * host's address. Without the routing mesh (dnsrr), a port is open only on
 * the node that runs the task; a service of several tasks has one on each
 * node they run on, one per node (a host-mode port is taken once).
 */
function needsStatefulNode(args: SwarmServiceArgs, mounts: Mount[], hostModePorts: boolean): boolean {
  const holdsData = mounts.some((mount) => mount.source instanceof Volume || !mount.source.onEveryNode);
  const oneTaskPublishing = hostModePorts && !args.global && (args.oneShot || args.replicas === 1);
  return holdsData || args.onHostMachine !== undefined || oneTaskPublishing;
}

/** The file a secret env key goes to, and the variable that names it. */
function secretFile(key: string): { env: string; path: string } {
  return { env: `${key}_FILE`, path: `${SECRETS_DIR}/${key.toLowerCase()}` };
}

type DependsOn = pulumi.ResourceOptions["dependsOn"];

/** A component's dependsOn as a list, to hand on with more. */
function dependencies(dependsOn: DependsOn): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  if (Array.isArray(dependsOn)) return dependsOn;
  if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn];
  throw new Error("a service's dependsOn is a resource or a list of them, not an output");
}

/**
 * The swarm service of one lab service, with its swarm secrets. Made after the
 * swarm is ready and after what the service waits for (`dependsOn`).
 */
export function swarmService(
  resourceName: string,
  args: SwarmServiceArgs,
  parent: pulumi.Resource,
  dependsOn: DependsOn,
): docker.Service {
  const provider = args.engine.docker;
  const fileKeys = new Set(args.secretFiles ?? []);
  const secretEnv = args.secretEnv ?? {};
  for (const key of fileKeys) {
    if (!(key in secretEnv)) throw new Error(`${args.lab}/${args.service}: secretFiles names ${key}, which is not in secretEnv`);
  }
  const secrets = [...fileKeys].map((key) => {
    const secret = new docker.Secret(
      `${resourceName}-${key.toLowerCase().replace(/_/g, "-")}`,
      {
        data: pulumi.secret(pulumi.output(secretEnv[key]).apply((value) => Buffer.from(value).toString("base64"))),
        labels: ownerLabels({ lab: args.lab, service: args.service }),
      },
      // A secret cannot change in a swarm: a new value is a new secret (its name is generated), and the service moves to it.
      { parent, provider, dependsOn: [args.swarm.ready] },
    );
    return { secretId: secret.id, secretName: secret.name, fileName: secretFile(key).path };
  });
  const envSecrets = Object.fromEntries(Object.entries(secretEnv).filter(([key]) => !fileKeys.has(key)));
  const plainEnv = { ...args.env, ...Object.fromEntries([...fileKeys].map((key) => [secretFile(key).env, secretFile(key).path])) };
  const hasSecretEnv = Object.keys(envSecrets).length > 0;
  const env = hasSecretEnv ? pulumi.secret(pulumi.output({ ...plainEnv, ...envSecrets })) : plainEnv;

  const mounts = args.mounts ?? [];
  const hostMode = args.swarm.endpointMode === "dnsrr";
  const ports = (args.ports ?? []).map((port) => ({
    targetPort: port.container,
    publishedPort: args.engine.hostPort(port.host),
    publishMode: hostMode ? "host" : "ingress",
    protocol: "tcp",
  }));
  const labels = ownerLabels({
    lab: args.lab,
    stack: args.engine.stack,
    service: args.service,
    role: args.role,
    exposure: ports.length > 0 ? (args.engine.exposure ?? SWARM_PORT_EXPOSURE) : undefined,
    writableRoot: args.writableRoot,
    noPidsLimit: SWARM_NO_PIDS_LIMIT,
  });
  const readOnly = args.writableRoot === undefined;
  const scratchDirs = readOnly ? ["/tmp", ...(args.scratch?.dirs ?? [])] : [];
  const replicated = !args.global || args.oneShot;

  const scaledBySwarm = args.scalable && replicated && !args.oneShot;
  const service = new docker.Service(
    resourceName,
    {
      name: args.name,
      labels,
      mode: replicated ? { replicated: { replicas: args.oneShot ? 1 : args.replicas } } : { global: true },
      endpointSpec: { mode: args.swarm.endpointMode, ports: ports.length > 0 ? ports : undefined },
      auth: args.swarm.pullAuth,
      // Creation returns once the tasks run, healthy when they have a healthcheck: dependants start after them.
      // The provider converges replicated services only; a one-shot's task ends, so nothing waits for it.
      convergeConfig: replicated && !args.oneShot ? { timeout: CONVERGE_TIMEOUT } : undefined,
      taskSpec: {
        containerSpec: {
          image: args.image.ref,
          commands: args.entrypoint,
          args: args.command,
          env,
          labels,
          user: args.user,
          groups: args.groupAdd,
          capDrops: ["ALL"],
          capAdds: args.capAdd,
          readOnly,
          healthcheck: healthcheckSpec(args.healthcheck),
          mounts: [
            ...mounts.map((mount) => ({
              type: mount.source instanceof Volume ? "volume" : "bind",
              source: mount.source instanceof Volume ? mount.source.name : mount.source.hostPath,
              target: mount.target,
              readOnly: mount.readOnly ?? false,
            })),
            ...scratchDirs.map((dir) => ({ type: "tmpfs", target: dir, tmpfsOptions: { sizeBytes: TMPFS_SIZE_MB * 1024 * 1024 } })),
          ],
          secrets: secrets.length > 0 ? secrets : undefined,
        },
        networksAdvanceds: args.networks.map((network) => ({ id: network.id, aliases: [args.service] })),
        placement: needsStatefulNode(args, mounts, hostMode && ports.length > 0) ? { constraints: [statefulConstraint(args.swarm)] } : undefined,
        resources: { limits: { memoryBytes: args.limits.memoryMb * 1024 * 1024 } },
        // The delay and window written out as the provider reads them back, or every `up` would update (and roll) the service:
        // Docker's own defaults for a service, a 5 s pause between restarts and no window.
        restartPolicy: { condition: args.oneShot ? "none" : args.restart === "on-failure" ? "on-failure" : "any", delay: "5s", window: "0s" },
        logDriver: { name: "json-file", options: LOG_ROTATION },
      },
    },
    {
      parent,
      provider,
      // The name is fixed: a replacement removes the old service first.
      deleteBeforeReplace: true,
      // Docker refuses to change a service's mode in place; the replica count is an update.
      replaceOnChanges: ["mode.global"],
      // The count it was made with; after that, scaleBySwarm changes it.
      ignoreChanges: scaledBySwarm ? ["mode.replicated.replicas"] : undefined,
      dependsOn: [...dependencies(dependsOn), args.swarm.ready],
      additionalSecretOutputs: hasSecretEnv ? ["taskSpec"] : undefined,
    },
  );
  if (scaledBySwarm) scaleBySwarm(resourceName, args, service, parent);
  return service;
}

/**
 * A replica count the lab takes from a setting changes with Docker's own
 * `docker service scale`, which changes the count alone, run on the manager
 * the host's commands reach. Through the provider, an update sends the
 * environment in a new order each time (kreuzwerker's docker_service builds
 * the list from a map), which Docker takes for a new task spec: it would
 * restart every task to add some. Seen on the ci-swarm stack.
 */
function scaleBySwarm(resourceName: string, args: SwarmServiceArgs, service: docker.Service, parent: pulumi.Resource): void {
  args.engine.command(`${resourceName}-replicas`, {
    create: `docker service scale ${args.name}=${args.replicas} >/dev/null`,
    triggers: [args.replicas],
    dependsOn: [service],
  }, parent);
}
