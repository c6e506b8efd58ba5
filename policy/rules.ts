/**
 * The rules every container-labs stack must meet, each a plain policy object
 * so tests can call `validateResource` directly. All are mandatory: a
 * violation stops `pulumi preview` and `pulumi up`.
 *
 * During preview, a value that is not known yet (e.g. an image ID before the
 * pull) makes @pulumi/policy skip that rule for that resource with an
 * advisory note; `pulumi up` checks it again once the value is known.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { credentialIn } from "./lib/credentials";
import { isDigestReference, isLocallyBuiltTag, isPinnedImage } from "./lib/images";
import { JOB_WORKER_ROLE, LABELS, labelValue } from "./lib/labels";
import { ADMIN_PORTS, allowsTcpPort, ingressOf, isWholeInternet } from "./lib/network";
import { list } from "./lib/properties";
import { isDynamoDbLocal } from "./lib/providers";
import { TYPES } from "./lib/resourceTypes";

type Check = (props: Record<string, any>, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/** A mandatory rule that checks resources of the given types and ignores the rest. */
function rule(name: string, description: string, types: readonly string[], check: Check): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (types.includes(args.type)) check(args.props, args, reportViolation);
    },
  };
}

export const noAdminPortsOpenToTheWorld = rule(
  "no-admin-ports-open-to-the-world",
  "No security group lets the whole internet reach SSH (22) or the Docker API (2375, 2376): either gives control of the host.",
  [TYPES.securityGroup, TYPES.securityGroupRule, TYPES.securityGroupIngressRule],
  (props, args, reportViolation) => {
    for (const ingress of ingressOf(args.type, props)) {
      const world = ingress.cidrs.filter(isWholeInternet);
      for (const [port, service] of ADMIN_PORTS) {
        if (world.length > 0 && allowsTcpPort(ingress, port)) {
          reportViolation(`ingress ${ingress.protocol} ${ingress.fromPort ?? "*"}-${ingress.toPort ?? "*"} from ${world.join(", ")} opens port ${port} (${service}) to the internet: restrict it to your own network (ec2SshCidr / ec2AllowedCidr)`);
        }
      }
    }
  },
);

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

export const dynamoTablesRecoverableAndEncrypted = rule(
  "dynamodb-pitr-and-encryption",
  "DynamoDB tables have point-in-time recovery and server-side encryption; tables in DynamoDB Local (the local stack), which has neither, are exempt.",
  [TYPES.dynamoTable],
  (props, args, reportViolation) => {
    // DynamoDB Local accepts neither setting; the local stack reaches it through an aws provider pointed at loopback.
    if (isDynamoDbLocal(args.provider)) return;
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

const DOCKER_SOCKETS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);

export const dockerSocketOnlyForJobWorkers = rule(
  "docker-socket-only-for-job-workers",
  `Only containers labelled ${LABELS.role}=${JOB_WORKER_ROLE} mount the Docker socket: whoever holds it controls the host's Docker.`,
  [TYPES.container],
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
  "Containers run an image ID or a digest-pinned reference, and pulled images name a digest, so a deployment runs exactly what was reviewed and a rebuild rolls exactly the containers that use it.",
  [TYPES.container, TYPES.remoteImage],
  (props, args, reportViolation) => {
    if (args.type === TYPES.container) {
      if (!isPinnedImage(String(props.image))) reportViolation(`image ${JSON.stringify(props.image)} is neither an image ID nor pinned by digest (name@sha256:<64 hex>)`);
    } else if (!isDigestReference(String(props.name)) && !isLocallyBuiltTag(String(props.name), args.urn)) {
      reportViolation(`pulls ${JSON.stringify(props.name)}, which is not pinned by digest (name@sha256:<64 hex>)`);
    }
  },
);

export const noPlaintextCredentialsInContainerEnv = rule(
  "no-plaintext-credentials-in-container-env",
  "Container environment entries that look like credentials (by name or by value) are only allowed when the container's envs are declared secret.",
  [TYPES.container],
  (props, args, reportViolation) => {
    // A policy receives secret inputs already decrypted, with nothing marking
    // them (@pulumi/policy deserialises with secrets unwrapped). The one
    // secrecy signal it does receive is the additionalSecretOutputs option,
    // so a container whose env carries credentials must declare "envs" there;
    // test/ checks that such containers' envs input is a secret too.
    if (args.opts.additionalSecretOutputs?.includes("envs")) return;
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
  noAdminPortsOpenToTheWorld,
  instancesRequireImdsV2,
  rootVolumesEncrypted,
  dynamoTablesRecoverableAndEncrypted,
  noPrivilegedContainers,
  dockerSocketOnlyForJobWorkers,
  imagesPinnedByDigest,
  noPlaintextCredentialsInContainerEnv,
  dataVolumesSurviveDestroy,
];
