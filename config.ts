/**
 * The stack's configuration, read and validated once. Every other module takes
 * the typed `LabsConfig` this returns and never reads `pulumi.Config` itself.
 *
 * Every key the program reads is declared in Pulumi.yaml with its type,
 * description and default (the only place defaults live); a stack file holds
 * only what differs. Secrets cannot have a default there, so the optional
 * ones (`registryToken`, `registryPullToken`, `notificationsSecretKey`) are not
 * declared and the README lists them. The platform's keys are read here,
 * each lab's beside its component (`components/labs/<lab>/settings.ts`);
 * all problems are reported together, each naming the key, the value and
 * what is allowed.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, ConfigurationError, DIGEST_REF, IMAGE_ID } from "./components/config/reader";
import { BUILT_IMAGES, LAB_NAMES, LABS, type BuiltImage, type LabName, type LabSettings } from "./components/labs";
import { EXTERNAL_IMAGE_NAMES, type ExternalImage } from "./components/platform/images";
import { readDockerHost, unixSocketPath } from "./components/platform/local";
import type { BuildSettings } from "./components/platform/platform";
import type { RegistrySettings } from "./components/platform/registry";
import { TARGET_NAMES, TARGETS, type Placement, type Target } from "./components/platform/targets";

export { ConfigurationError } from "./components/config/reader";
export { BUILT_IMAGES, LAB_NAMES, type BuiltImage, type LabName } from "./components/labs";
export { COURSE_NOTIFICATIONS_KEY } from "./components/labs/notifications/settings";
export { DEFAULT_DOCKER_HOST } from "./components/platform/local";
export { TARGET_NAMES, type Target } from "./components/platform/targets";

export const PROJECT = "container-labs";

export interface CommonConfig {
  project: string;
  stack: string;
  /** aws:region: where the EC2 host and real tables live; DynamoDB Local's nominal region locally. */
  awsRegion: string;
  /** The enabled labs, in the README's order. */
  labs: LabName[];
  /** Every lab's settings, enabled or not (all are validated). */
  labSettings: LabSettings;
  /** This machine's Docker engine: it builds every target's images (and runs the labs on the local target). */
  dockerHost: string;
  /** Present when images are pushed to a registry (a remote target with at least one image to build). */
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

/**
 * The mirror: each entry must stay pinned, by registry digest, or by image ID
 * where the labs run on this machine's engine (a target that pushes no images).
 */
function readExternalImages(reader: ConfigReader, target: Target): Partial<Record<ExternalImage, string>> {
  const format = `entries "<image>=<reference>" with <image> one of ${EXTERNAL_IMAGE_NAMES.join(", ")}`;
  const onThisEngine = !TARGETS[target].pushesImages;
  const pinned = onThisEngine ? "a reference pinned by digest (name@sha256:<64 hex>) or an image ID of the local engine (sha256:<64 hex>)" : "a reference pinned by digest (name@sha256:<64 hex>)";
  const mirror: Partial<Record<ExternalImage, string>> = {};
  for (const { entry, name, value } of reader.pairs("externalImages", format)) {
    if (!(EXTERNAL_IMAGE_NAMES as readonly string[]).includes(name)) reader.problem("externalImages", entry, format);
    else if (!(DIGEST_REF.test(value) || (onThisEngine && IMAGE_ID.test(value)))) reader.problem("externalImages", entry, pinned);
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

/** The text of a PEM file of certificates that `key` names; undefined when unset. */
function readPemFile(reader: ConfigReader, key: string, allowed: string): string | undefined {
  const file = reader.optionalString(key);
  if (file === undefined) return undefined;
  const pem = path.isAbsolute(file) && existsSync(file) ? readFileSync(file, "utf8") : "";
  if (pem.includes("-----BEGIN CERTIFICATE-----")) return pem;
  reader.problem(key, file, allowed);
  return undefined;
}

function readCaBundle(reader: ConfigReader): string | undefined {
  const pem = readPemFile(reader, "buildCaBundle", "an absolute path to a PEM file of CA certificates (e.g. /usr/local/share/ca-certificates/proxy.crt)");
  if (pem === undefined) return undefined;
  const file = reader.optionalString("buildCaBundle");
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
  return labs.some((lab) => (Object.keys(LABS[lab].images) as BuiltImage[]).some((image) => overrides[image] === undefined));
}

/** The registry a remote target pushes to and pulls from: any OCI registry, registryServer (Pulumi.yaml: ghcr.io). */
function readRegistry(reader: ConfigReader): RegistrySettings {
  const why = "when the target is remote and images are built: they are pushed to the registry";
  const server = reader.string("registryServer");
  reader.check(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i.test(server), "registryServer", server, "a registry's host[:port], e.g. ghcr.io or registry.example.edu:5000");
  const namespace = reader.optionalString("registryNamespace") ?? "";
  reader.check(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/i.test(namespace), "registryNamespace", namespace, `the path images go under (on ghcr.io your GitHub user or organisation), required ${why}`);
  const username = reader.optionalString("registryUsername") ?? namespace;
  const token = reader.secret("registryToken");
  reader.check(token !== undefined, "registryToken", undefined, `required ${why} (set it with --secret: a password or token that may push)`);
  const pullToken = reader.secret("registryPullToken");
  const pullUsername = reader.optionalString("registryPullUsername") ?? username;
  return {
    server: server.toLowerCase(),
    namespace: namespace.toLowerCase(),
    push: { username, token: token ?? pulumi.secret("") },
    pull: pullToken && { username: pullUsername, token: pullToken },
    caPem: readPemFile(reader, "registryCaFile", "an absolute path to the PEM CA certificate of a registry whose certificate no public CA signed (e.g. /usr/local/share/ca-certificates/registry.crt)"),
  };
}

/** Reads and validates the current stack's configuration; throws ConfigurationError listing every problem. */
export function loadConfig(): LabsConfig {
  return readConfig(new ConfigReader(PROJECT), pulumi.getStack(), process.env);
}

/** loadConfig with the reader given, so tests can see which keys were read. */
export function readConfig(reader: ConfigReader, stack: string, environment: NodeJS.ProcessEnv = {}): LabsConfig {
  const target = reader.choice("target", TARGET_NAMES);
  const labs = readLabs(reader);
  const imageOverrides = readImageOverrides(reader);
  const placement = { target, [target]: TARGETS[target].readSettings(reader, stack) } as unknown as Placement;
  const labSettings = Object.fromEntries(
    LAB_NAMES.map((lab) => [lab, LABS[lab].readSettings(reader, stack)]),
  ) as LabSettings;
  const dockerHost = readDockerHost(reader, environment);
  const config: LabsConfig = {
    project: PROJECT,
    stack,
    ...placement,
    // Computed, not in Pulumi.yaml: aws:region is the AWS provider's own key, and DynamoDB Local needs some region.
    awsRegion: new ConfigReader("aws").undeclared("region") ?? "us-east-1",
    labs,
    labSettings,
    dockerHost,
    registry: TARGETS[target].pushesImages && buildsImages(labs, imageOverrides) ? readRegistry(reader) : undefined,
    build: { externalImages: readExternalImages(reader, target), imageOverrides, caBundle: readCaBundle(reader) },
    portRemap: readPortRemap(reader),
  };
  if (config.local && unixSocketPath(dockerHost) === undefined) {
    for (const lab of labs) {
      const why = LABS[lab].needsEngineSocket;
      if (why) reader.problem("localDockerHost", dockerHost, `a unix:// socket while ${lab} is enabled: ${why} (or disable ${lab} in labs)`);
    }
  }
  if (reader.problems.length > 0) throw new ConfigurationError(reader.problems);
  return config;
}
