/**
 * The stack's configuration, read and validated once. Every other module takes
 * the typed `LabsConfig` this returns and never reads `pulumi.Config` itself.
 *
 * Every key the program reads is declared in Pulumi.yaml with its type,
 * description and default (the only place defaults live); a stack file holds
 * only what differs. Secrets cannot have a default there, so the optional
 * ones (`ghcrToken`, `ghcrPullToken`, `notificationsSecretKey`) are not
 * declared and the README lists them. The platform's keys are read here,
 * each lab's beside its component (`components/labs/<lab>/settings.ts`);
 * all problems are reported together, each naming the key, the value and
 * what is allowed.
 */
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isIpv4 } from "./components/config/cidr";
import { ConfigReader, ConfigurationError, DIGEST_REF, IMAGE_ID } from "./components/config/reader";
import { LAB_NAMES, LABS, type LabName, type LabSettings } from "./components/labs";
import { BUILT_IMAGES, type BuiltImage } from "./components/platform/builds";
import { unixSocketPath } from "./components/platform/dockerHost";
import { EXTERNAL_IMAGE_NAMES, type ExternalImage } from "./components/platform/images";
import { adminSourceProblem } from "./policy/lib/network";

export { ConfigurationError } from "./components/config/reader";
export { LAB_NAMES, type LabName } from "./components/labs";
export { COURSE_NOTIFICATIONS_KEY } from "./components/labs/notifications/settings";
export { BUILT_IMAGES, type BuiltImage } from "./components/platform/builds";

export const PROJECT = "container-labs";

export const TARGETS = ["local", "ec2"] as const;
/** The engine of the local target when neither localDockerHost nor DOCKER_HOST names one: Docker's default socket. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
export type Target = (typeof TARGETS)[number];

export interface RegistrySettings {
  /** ghcr.io namespace the images are pushed under (user or organisation). */
  owner: string;
  username: string;
  /** Pushes from the build machine (write:packages). */
  token: pulumi.Output<string>;
  /** The EC2 host's pulls (read:packages), so the write token never reaches the host; unset: the push token. */
  pullToken?: pulumi.Output<string>;
}

export interface Ec2Settings {
  instanceType: string;
  /** Who may reach the lab ports and the Docker TLS port: one or more ranges, none wider than /16. */
  allowedCidrs: string[];
  /** Who may reach SSH; defaults to allowedCidrs. */
  sshCidrs: string[];
  rootVolumeGb: number;
}

export interface LocalSettings {
  /** The engine's endpoint, e.g. unix:///var/run/docker.sock. */
  dockerHost: string;
  /** Absolute directory on this machine for bind-mounted lab data. */
  dataDir: string;
  /** The host address published ports bind to: loopback unless the user opens them. */
  publishAddress: string;
}

/** Where the labs run: exactly one target's settings, so no caller has to assume which. */
export type Placement =
  | { target: "local"; local: LocalSettings; ec2?: undefined }
  | { target: "ec2"; ec2: Ec2Settings; local?: undefined };

export interface BuildSettings {
  /** External images replaced by other references (a mirror); the rest use the pinned defaults. */
  externalImages: Partial<Record<ExternalImage, string>>;
  /** Lab images replaced by external references instead of being built. */
  imageOverrides: Partial<Record<BuiltImage, string>>;
  /** PEM certificates that builds trust besides the base image's (a TLS-inspecting proxy). */
  caBundle?: string;
}

export interface CommonConfig {
  project: string;
  stack: string;
  /** aws:region: where the EC2 host and real tables live; DynamoDB Local's nominal region locally. */
  awsRegion: string;
  /** The enabled labs, in the README's order. */
  labs: LabName[];
  /** Every lab's settings, enabled or not (all are validated). */
  labSettings: LabSettings;
  /** Present when images are pushed to ghcr.io (ec2 with at least one image to build). */
  registry?: RegistrySettings;
  build: BuildSettings;
  /** Host ports moved elsewhere: the lab's published port -> the port used instead (e.g. when 8000 is taken). */
  portRemap: Map<number, number>;
}

export type LabsConfig = CommonConfig & Placement;

function readLabs(reader: ConfigReader): LabName[] {
  const labs = reader.stringList("labs");
  const unknown = labs.filter((lab) => !(LAB_NAMES as readonly string[]).includes(lab));
  reader.check(unknown.length === 0, "labs", labs, `lab names from ${LAB_NAMES.join(", ")} (unknown: ${unknown.join(", ")})`);
  return LAB_NAMES.filter((lab) => labs.includes(lab));
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

function readPortRemap(reader: ConfigReader): Map<number, number> {
  const format = `entries "<published port>=<host port>", each port from 1 to 65535`;
  const remap = new Map<number, number>();
  for (const { entry, name, value } of reader.pairs("portRemap", format)) {
    const valid = isPort(name) && isPort(value);
    reader.check(valid, "portRemap", entry, format);
    if (valid) remap.set(Number(name), Number(value));
  }
  return remap;
}

function readImageOverrides(reader: ConfigReader): Partial<Record<BuiltImage, string>> {
  const format = `entries "<lab>/<service>=<image>@sha256:<digest>" with <lab>/<service> one of ${BUILT_IMAGES.join(", ")}`;
  const overrides: Partial<Record<BuiltImage, string>> = {};
  for (const { entry, name, value } of reader.pairs("imageOverrides", format)) {
    if (!(BUILT_IMAGES as readonly string[]).includes(name)) reader.problem("imageOverrides", entry, format);
    else if (!DIGEST_REF.test(value)) reader.problem("imageOverrides", entry, "an image reference pinned by digest (name@sha256:<64 hex>)");
    else overrides[name as BuiltImage] = value;
  }
  return overrides;
}

/** The mirror: each entry must stay pinned, by registry digest, or (local engine only) by image ID. */
function readExternalImages(reader: ConfigReader, target: Target): Partial<Record<ExternalImage, string>> {
  const format = `entries "<image>=<reference>" with <image> one of ${EXTERNAL_IMAGE_NAMES.join(", ")}`;
  const pinned = target === "local" ? "a reference pinned by digest (name@sha256:<64 hex>) or an image ID of the local engine (sha256:<64 hex>)" : "a reference pinned by digest (name@sha256:<64 hex>)";
  const mirror: Partial<Record<ExternalImage, string>> = {};
  for (const { entry, name, value } of reader.pairs("externalImages", format)) {
    if (!(EXTERNAL_IMAGE_NAMES as readonly string[]).includes(name)) reader.problem("externalImages", entry, format);
    else if (!(DIGEST_REF.test(value) || (target === "local" && IMAGE_ID.test(value)))) reader.problem("externalImages", entry, pinned);
    else mirror[name as ExternalImage] = value;
  }
  return mirror;
}

/**
 * Builds get the bundle as a secret that buildx passes in an environment
 * variable, and Linux refuses any one variable over 128 KiB (E2BIG, "argument
 * list too long"): a whole system bundle (about 210 KiB on Debian) is too big.
 */
export const MAX_CA_BUNDLE_BYTES = 120 * 1024;

function readCaBundle(reader: ConfigReader): string | undefined {
  const file = reader.optionalString("buildCaBundle");
  if (file === undefined) return undefined;
  const pem = path.isAbsolute(file) && existsSync(file) ? readFileSync(file, "utf8") : "";
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    reader.problem("buildCaBundle", file, "an absolute path to a PEM file of CA certificates (e.g. /usr/local/share/ca-certificates/proxy.crt)");
    return undefined;
  }
  const bytes = Buffer.byteLength(pem);
  reader.check(
    bytes <= MAX_CA_BUNDLE_BYTES,
    "buildCaBundle",
    file,
    `a PEM file of at most ${MAX_CA_BUNDLE_BYTES} bytes (this one has ${bytes}: builds get it in an environment variable, which Linux caps at 128 KiB); give only the CAs your proxy needs, e.g. the files in /usr/local/share/ca-certificates`,
  );
  return pem;
}

/** True when some enabled lab builds an image that no override replaces. */
function buildsImages(labs: LabName[], overrides: Partial<Record<BuiltImage, string>>): boolean {
  return BUILT_IMAGES.some((image) => labs.includes(image.split("/")[0] as LabName) && overrides[image] === undefined);
}

function readRegistry(reader: ConfigReader): RegistrySettings {
  const why = "when target is ec2: images are pushed to ghcr.io";
  const owner = reader.optionalString("ghcrOwner") ?? "";
  reader.check(/^[a-z0-9](?:[a-z0-9-]{0,38})$/i.test(owner), "ghcrOwner", owner, `a GitHub user or organisation name, required ${why}`);
  const token = reader.secret("ghcrToken");
  reader.check(token !== undefined, "ghcrToken", undefined, `required ${why} (set it with --secret: a token with write:packages)`);
  return {
    owner: owner.toLowerCase(),
    username: reader.optionalString("ghcrUsername") ?? owner,
    token: token ?? pulumi.secret(""),
    pullToken: reader.secret("ghcrPullToken"),
  };
}

/**
 * The networks allowed to reach SSH or the Docker API: one CIDR range, or
 * several separated by commas, each judged as the policy pack judges the
 * security group's ranges.
 */
function readAllowedNetworks(reader: ConfigReader, key: string, value: string | undefined): string[] {
  const cidrs = (value ?? "").split(",").map((cidr) => cidr.trim());
  return cidrs.map((text) => {
    const cidr = reader.cidr(key, text === "" && cidrs.length === 1 ? value : text);
    const problem = cidr ? adminSourceProblem(cidr) : undefined;
    reader.check(problem === undefined, key, cidr, `your own networks (e.g. your IP/32): ${problem}, which opens the host's SSH and Docker API to networks that are not yours; list each network you use instead, separated by commas, none wider than /16`);
    return cidr;
  });
}

function readEc2(reader: ConfigReader): Ec2Settings {
  const allowedCidrs = readAllowedNetworks(reader, "ec2AllowedCidr", reader.optionalString("ec2AllowedCidr"));
  const ssh = reader.optionalString("ec2SshCidr");
  return {
    instanceType: reader.string("ec2InstanceType"),
    allowedCidrs,
    // Unset, SSH follows the allowed networks (checked once, above).
    sshCidrs: ssh === undefined ? allowedCidrs : readAllowedNetworks(reader, "ec2SshCidr", ssh),
    rootVolumeGb: reader.integer("ec2RootVolumeGb", 8, 1024),
  };
}

function readLocal(reader: ConfigReader, stack: string, environment: NodeJS.ProcessEnv): LocalSettings {
  const dataDir = reader.optionalString("localDataDir") ?? path.join(os.homedir(), ".container-labs", stack);
  reader.check(path.isAbsolute(dataDir), "localDataDir", dataDir, "an absolute directory path");
  // Docker's own convention: DOCKER_HOST names the engine when the stack does not.
  const dockerHost = reader.optionalString("localDockerHost") ?? environment.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
  reader.check(/^(unix|tcp|ssh|npipe):\/\/./.test(dockerHost), "localDockerHost", dockerHost, "a Docker endpoint such as unix:///var/run/docker.sock, tcp://host:2375 or ssh://user@host");
  const publishAddress = reader.string("localPublishAddress");
  reader.check(isIpv4(publishAddress), "localPublishAddress", publishAddress, "an IPv4 address of this machine: 127.0.0.1 (only this machine), or 0.0.0.0 to open the labs to every network it is on");
  return { dockerHost, dataDir, publishAddress };
}

/** Reads and validates the current stack's configuration; throws ConfigurationError listing every problem. */
export function loadConfig(): LabsConfig {
  return readConfig(new ConfigReader(PROJECT), pulumi.getStack(), process.env);
}

/** loadConfig with the reader given, so tests can see which keys were read. */
export function readConfig(reader: ConfigReader, stack: string, environment: NodeJS.ProcessEnv = {}): LabsConfig {
  const target = reader.choice("target", TARGETS);
  const labs = readLabs(reader);
  const imageOverrides = readImageOverrides(reader);
  const placement: Placement = target === "ec2" ? { target, ec2: readEc2(reader) } : { target, local: readLocal(reader, stack, environment) };
  const labSettings = Object.fromEntries(
    LAB_NAMES.map((lab) => [lab, LABS[lab].readSettings(reader, stack)]),
  ) as LabSettings;
  const config: LabsConfig = {
    project: PROJECT,
    stack,
    ...placement,
    awsRegion: new ConfigReader("aws").undeclared("region") ?? "us-east-1",
    labs,
    labSettings,
    registry: target === "ec2" && buildsImages(labs, imageOverrides) ? readRegistry(reader) : undefined,
    build: { externalImages: readExternalImages(reader, target), imageOverrides, caBundle: readCaBundle(reader) },
    portRemap: readPortRemap(reader),
  };
  if (config.local && labs.includes("kleeweb") && unixSocketPath(config.local.dockerHost) === undefined) {
    reader.problem("localDockerHost", config.local.dockerHost, "a unix:// socket while kleeweb is enabled: its workers start job containers through the engine's socket (or disable kleeweb in labs)");
  }
  if (reader.problems.length > 0) throw new ConfigurationError(reader.problems);
  return config;
}
