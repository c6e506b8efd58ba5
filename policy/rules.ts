/**
 * The rules every container-labs stack must meet, each a plain policy object
 * so tests can call `validateResource` directly. All are mandatory: a
 * violation stops `pulumi preview` and `pulumi up`.
 *
 * During preview, a value that is not known yet (e.g. an image ID before the
 * pull) makes @pulumi/policy skip that rule for that resource with an
 * advisory note; `pulumi up` checks it again once the value is known.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { credentialIn } from "./lib/credentials";
import { isLocallyBuiltTag, isPinnedImage } from "./lib/images";
import { hasReason, JOB_WORKER_ROLE, LABELS, labelValue } from "./lib/labels";
import { isLoopbackAddress, isOpenToTheWorld } from "./lib/addresses";
import { ADMIN_PORTS, adminSourceProblem, allowsTcpPort, NARROWEST_ADMIN_PREFIX } from "./lib/network";
import { list } from "./lib/properties";
import { TYPES } from "./lib/resourceTypes";
import { securityGroupsIn } from "./lib/securityGroups";
import { serviceAsContainer } from "./lib/swarmService";

type Check = (props: Record<string, any>, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/** A mandatory rule that checks resources of the given types and ignores the rest; a swarm service is read as its task's container. */
function rule(name: string, description: string, types: readonly string[], check: Check): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (types.includes(args.type)) check(args.type === TYPES.service ? serviceAsContainer(args.props) : args.props, args, reportViolation);
    },
  };
}

/** Containers, and swarm services read as their tasks' containers. */
const CONTAINERS = [TYPES.container, TYPES.service] as const;

/**
 * Judged over the whole stack: AWS applies a group's inline ingress and every
 * separate rule attached to it together, so 256 separate /8 rules are judged
 * as the world they add up to.
 */
export const noAdminPortsOpenToTheWorld: StackValidationPolicy = {
  name: "no-admin-ports-open-to-the-world",
  description: `No security group lets more than your own networks reach SSH (22) or the Docker API (2375, 2376): every range that reaches them is /${NARROWEST_ADMIN_PREFIX[4]} or narrower (IPv6 /${NARROWEST_ADMIN_PREFIX[6]}), and all of a group's ranges (inline ingress and separate rules joined to it) together cover no more than a /8's share of IPv4 or IPv6: either port gives control of the host.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const group of securityGroupsIn(args.resources)) {
      for (const [port, service] of ADMIN_PORTS) {
        const sources = [...new Set(group.ingress.filter((permission) => allowsTcpPort(permission, port)).flatMap((permission) => permission.cidrs))];
        const where = `security group ${group.name}: port ${port} (${service})`;
        for (const problem of sources.map(adminSourceProblem).filter((problem) => problem !== undefined)) {
          reportViolation(`${where}: ${problem}: list each of your own networks as its own range instead (ec2AllowedCidr / ec2SshCidr: separated by commas; in a security group: several cidrBlocks entries, or one rule each), none wider than /${NARROWEST_ADMIN_PREFIX[4]} (IPv6 /${NARROWEST_ADMIN_PREFIX[6]})`, group.urn);
        }
        if (isOpenToTheWorld(sources)) {
          reportViolation(`${where}: ingress from ${sources.join(", ")}, added up over the group's rules, opens it to the internet: restrict it to your own networks (ec2SshCidr / ec2AllowedCidr)`, group.urn);
        }
      }
    }
  },
};

export const instancesRequireImdsV2 = rule(
  "ec2-imdsv2-required",
  "EC2 instances require IMDSv2 session tokens, so a request forged through a container (SSRF) cannot read the instance role's credentials.",
  [TYPES.instance],
  (props, _args, reportViolation) => {
    if (props.metadataOptions?.httpTokens !== "required") {
      reportViolation(`metadataOptions.httpTokens is ${JSON.stringify(props.metadataOptions?.httpTokens ?? null)}: set it to "required" (IMDSv2 only)`);
    }
  },
);

export const rootVolumesEncrypted = rule(
  "ec2-root-volume-encrypted",
  "EC2 root volumes are encrypted at rest: they hold images, lab data and Docker's TLS keys.",
  [TYPES.instance],
  (props, _args, reportViolation) => {
    if (props.rootBlockDevice?.encrypted !== true) reportViolation("rootBlockDevice.encrypted is not true: encrypt the root volume");
  },
);

export const ebsVolumesEncrypted = rule(
  "ebs-volumes-encrypted",
  "EBS volumes are encrypted at rest: the Docker host's data volume holds databases and lab data.",
  [TYPES.ebsVolume],
  (props, _args, reportViolation) => {
    if (props.encrypted !== true) reportViolation("encrypted is not true: encrypt the volume");
  },
);

export const dynamoTablesRecoverableAndEncrypted = rule(
  "dynamodb-pitr-and-encryption",
  "DynamoDB tables have point-in-time recovery and server-side encryption (the local stack's tables live in DynamoDB Local, made without any aws resource).",
  [TYPES.dynamoTable],
  (props, _args, reportViolation) => {
    if (props.pointInTimeRecovery?.enabled !== true) reportViolation("pointInTimeRecovery.enabled is not true: enable point-in-time recovery");
    if (props.serverSideEncryption?.enabled !== true) reportViolation("serverSideEncryption.enabled is not true: enable server-side encryption");
  },
);

export const noPrivilegedContainers = rule(
  "no-privileged-containers",
  "No container runs privileged: that is root on the Docker host.",
  [TYPES.container],
  (props, _args, reportViolation) => {
    if (props.privileged === true) reportViolation("privileged is true: grant the capabilities or devices it needs instead");
  },
);

export const containersHaveResourceLimits = rule(
  "containers-have-resource-limits",
  "Every container has a memory limit (memory, MB) and a CPU share or quota (cpuShares or cpus), so one runaway service cannot starve the host or the other labs (CIS Docker Benchmark 5.10, 5.11). A swarm service has a memory limit (taskSpec.resources.limits.memoryBytes); it has no relative CPU share to ask for.",
  CONTAINERS,
  (props, args, reportViolation) => {
    if (!(Number(props.memory) > 0)) reportViolation(`memory is ${JSON.stringify(props.memory ?? null)}: set a memory limit in MB`);
    if (args.type === TYPES.container && !(Number(props.cpuShares) > 0) && !(Number(props.cpus) > 0)) {
      reportViolation("neither cpuShares nor cpus is set: give the container a CPU share (cpuShares) or quota (cpus)");
    }
  },
);

const NO_NEW_PRIVILEGES = new Set(["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"]);

export const containersDropPrivileges = rule(
  "containers-drop-privileges",
  "Every container drops all capabilities (capabilities.drops contains ALL; add back only what it needs) and runs with no-new-privileges, so setuid binaries cannot raise a process's privileges (CIS Docker Benchmark 5.3, 5.25). Job workers are no exception. A swarm service drops ALL (taskSpec.containerSpec.capDrops); it has no no-new-privileges option to ask for.",
  CONTAINERS,
  (props, args, reportViolation) => {
    const drops = list<string>(props.capabilities?.drops).map((capability) => String(capability).toUpperCase());
    if (!drops.includes("ALL")) reportViolation(`capabilities.drops is ${JSON.stringify(drops)}: drop ALL and add back only the capabilities the service needs`);
    if (args.type === TYPES.container && !list<string>(props.securityOpts).some((option) => NO_NEW_PRIVILEGES.has(String(option).trim()))) {
      reportViolation(`securityOpts ${JSON.stringify(list(props.securityOpts))} lack "no-new-privileges:true"`);
    }
  },
);

export const containersHaveReadOnlyRoot = rule(
  "containers-have-read-only-root",
  `Every container's root filesystem is read-only (readOnly: true; writable paths are volumes or tmpfs), unless it is labelled ${LABELS.writableRoot} with the reason it cannot be (CIS Docker Benchmark 5.12).`,
  CONTAINERS,
  (props, _args, reportViolation) => {
    if (props.readOnly === true || hasReason(props.labels, LABELS.writableRoot)) return;
    reportViolation(`readOnly is ${JSON.stringify(props.readOnly ?? null)}: make the root filesystem read-only, or label the container ${LABELS.writableRoot}=<why it must write there>`);
  },
);

export const hostPortsOnLoopbackUnlessExplained = rule(
  "host-ports-on-loopback-unless-explained",
  `Containers publish host ports on loopback only (127.0.0.0/8, ::1), unless labelled ${LABELS.exposure} with the reason they are reachable from elsewhere (e.g. lan: the user opened local ports; security-group: on EC2, where the security group limits who reaches them). A lab service on 0.0.0.0 is open to every network the host is on. A swarm service's port has no address: it counts as 0.0.0.0.`,
  CONTAINERS,
  (props, _args, reportViolation) => {
    if (hasReason(props.labels, LABELS.exposure)) return;
    for (const port of list<{ ip?: string; external?: number; internal?: number }>(props.ports)) {
      // Docker binds a port without an address on every interface.
      const address = port.ip ?? "0.0.0.0";
      if (isLoopbackAddress(address)) continue;
      reportViolation(`publishes ${address}:${port.external ?? port.internal} beyond loopback without the label ${LABELS.exposure}=<reason>: bind it to 127.0.0.1, or say why it must be reachable (lan, security-group)`);
    }
  },
);

/** `root` or uid 0, with or without a group: what Docker runs a container as when `user` says so. */
const ROOT_USER = /^(root|0)(:.*)?$/;

export const containersRunAsNonRoot = rule(
  "containers-run-as-non-root",
  `No container is told to run as root (user root or 0, with any group), unless it is labelled ${LABELS.runsAsRoot} with the reason it must (CIS Docker Benchmark 4.1). A container without user runs as its image's USER, which the pack cannot see: every Dockerfile of this project is checked to end on a non-root USER (test/images), and pulled server images are given their non-root user by the program.`,
  CONTAINERS,
  (props, _args, reportViolation) => {
    const user = String(props.user ?? "").trim();
    if (!ROOT_USER.test(user) || hasReason(props.labels, LABELS.runsAsRoot)) return;
    reportViolation(`user is ${JSON.stringify(user)}: run the server as its image's non-root user, or label the container ${LABELS.runsAsRoot}=<why it must start as root>`);
  },
);

const DOCKER_SOCKETS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);

export const dockerSocketOnlyForJobWorkers = rule(
  "docker-socket-only-for-job-workers",
  `Only containers labelled ${LABELS.role}=${JOB_WORKER_ROLE} mount the Docker socket: whoever holds it controls the host's Docker.`,
  CONTAINERS,
  (props, _args, reportViolation) => {
    if (labelValue(props.labels, LABELS.role) === JOB_WORKER_ROLE) return;
    const socketMounts = [
      ...list(props.volumes).map((volume) => volume.hostPath),
      ...list(props.mounts).filter((mount) => mount.type === "bind").map((mount) => mount.source),
    ].filter((path): path is string => typeof path === "string" && DOCKER_SOCKETS.has(path));
    for (const path of socketMounts) {
      reportViolation(`mounts the Docker socket ${path} without the label ${LABELS.role}=${JOB_WORKER_ROLE}`);
    }
  },
);

export const imagesPinnedByDigest = rule(
  "images-pinned-by-digest",
  "Containers run an image ID or a digest-pinned reference, and pulled images name a digest (or, taken from the local engine as the externalImages setting allows, an image ID), so a deployment runs exactly what was reviewed and a rebuild rolls exactly the containers that use it.",
  [...CONTAINERS, TYPES.remoteImage],
  (props, args, reportViolation) => {
    if (args.type !== TYPES.remoteImage) {
      if (!isPinnedImage(String(props.image))) reportViolation(`image ${JSON.stringify(props.image)} is neither an image ID nor pinned by digest (name@sha256:<64 hex>)`);
    } else if (!isPinnedImage(String(props.name)) && !isLocallyBuiltTag(String(props.name), args.urn)) {
      reportViolation(`pulls ${JSON.stringify(props.name)}, which is neither pinned by digest (name@sha256:<64 hex>) nor an image ID of the engine`);
    }
  },
);

export const noPlaintextCredentialsInContainerEnv = rule(
  "no-plaintext-credentials-in-container-env",
  "Container environment entries that look like credentials (by name or by value) are only allowed when the container's envs (a swarm service's taskSpec) are declared secret.",
  CONTAINERS,
  (props, args, reportViolation) => {
    // A policy receives secret inputs already decrypted, with nothing marking
    // them (@pulumi/policy deserialises with secrets unwrapped). The one
    // secrecy signal it does receive is the additionalSecretOutputs option,
    // so a container whose env carries credentials must declare "envs" there;
    // test/ checks that such containers' envs input is a secret too.
    if (args.opts.additionalSecretOutputs?.includes(args.type === TYPES.service ? "taskSpec" : "envs")) return;
    for (const entry of list<string>(props.envs)) {
      const credential = credentialIn(String(entry));
      if (credential) reportViolation(`${credential} and the envs are not secret: pass it as a secret (Service secretEnv), which also sets additionalSecretOutputs: ["envs"]`);
    }
  },
);

export const dataVolumesSurviveDestroy = rule(
  "data-volumes-survive-destroy",
  `Volumes labelled ${LABELS.data}=true are protected, or retained on delete (declared by ${LABELS.retainOnDelete}=true), so a destroy or replacement cannot erase a user's data.`,
  [TYPES.volume],
  (props, args, reportViolation) => {
    if (labelValue(props.labels, LABELS.data) !== "true") return;
    // The analyzer protocol passes `protect` but not `retainOnDelete`: retention is read from the label the program sets with it.
    if (args.opts.protect || labelValue(props.labels, LABELS.retainOnDelete) === "true") return;
    reportViolation(`data volume ${JSON.stringify(props.name)} is neither protected nor retained on delete: set protect, or retainOnDelete with the label ${LABELS.retainOnDelete}=true`);
  },
);

/** Every rule of the pack. */
export const resourcePolicies: ResourceValidationPolicy[] = [
  instancesRequireImdsV2,
  rootVolumesEncrypted,
  ebsVolumesEncrypted,
  dynamoTablesRecoverableAndEncrypted,
  noPrivilegedContainers,
  containersHaveResourceLimits,
  containersDropPrivileges,
  containersHaveReadOnlyRoot,
  containersRunAsNonRoot,
  hostPortsOnLoopbackUnlessExplained,
  dockerSocketOnlyForJobWorkers,
  imagesPinnedByDigest,
  noPlaintextCredentialsInContainerEnv,
  dataVolumesSurviveDestroy,
];

/** A command that gives containers a pids limit: `docker update --pids-limit <n>` with n > 0. */
const PIDS_LIMIT_COMMAND = /\bdocker update (?:.* )?--pids-limit[ =][1-9]\d*\b/;

/**
 * Judged over the stack because the Docker provider has no pids-limit input:
 * the program limits each container with a command that depends on it (the
 * Service component's `<service>-pids-limit`), so the rule looks for that
 * command among the resources that depend on the container.
 */
export const containersHaveAPidsLimit: StackValidationPolicy = {
  name: "containers-have-a-pids-limit",
  description: `Every container is given a process limit, so a fork bomb stops at it (CIS Docker Benchmark 5.28): a resource that depends on the container runs \`docker update --pids-limit <n>\` (the Docker provider has no pids-limit input), unless the container is labelled ${LABELS.noPidsLimit} with the reason it cannot be (as every swarm service is: its tasks run on other machines).`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const limited = new Set(args.resources
      .filter((resource) => typeof resource.props.create === "string" && PIDS_LIMIT_COMMAND.test(resource.props.create))
      .flatMap((command) => command.dependencies.map((dependency) => dependency.urn)));
    for (const container of args.resources.filter((resource) => resource.type === TYPES.container || resource.type === TYPES.service)) {
      if (limited.has(container.urn) || hasReason(container.props.labels, LABELS.noPidsLimit)) continue;
      reportViolation(`container ${container.name} has no pids limit: no resource that depends on it runs \`docker update --pids-limit <n>\`; give it one (the Service component does for long-running services), or label it ${LABELS.noPidsLimit}=<why it cannot have one>`, container.urn);
    }
  },
};

/** Every rule of the pack that judges the stack as a whole. */
export const stackPolicies: StackValidationPolicy[] = [noAdminPortsOpenToTheWorld, containersHaveAPidsLimit];
