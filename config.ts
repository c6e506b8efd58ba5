/**
 * The stack's configuration, read and validated once. Every other module takes
 * the typed `LabsConfig` this returns and never reads `pulumi.Config` itself.
 *
 * Defaults live in Pulumi.yaml (the CLI injects them); a stack file holds only
 * what differs. All problems are reported together, each naming the key, the
 * value and what is allowed, so one preview shows everything to fix.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "container-labs";

export const TARGETS = ["local", "ec2"] as const;
export type Target = (typeof TARGETS)[number];

export const LAB_NAMES = ["docker-basics", "notifications", "cmpt756", "webstack", "dockercoins", "kleeweb"] as const;
export type LabName = (typeof LAB_NAMES)[number];

/** Every image a lab builds, as `<lab>/<service>`: the keys `imageOverrides` accepts. */
export const BUILT_IMAGES = [
  "docker-basics/signals-exec",
  "docker-basics/signals-shell",
  "docker-basics/volume-writer",
  "docker-basics/tcp-server",
  "notifications/notifications-service",
  "notifications/latency-probe",
  "cmpt756/s1",
  "cmpt756/s2",
  "cmpt756/db",
  "webstack/app",
  "webstack/nginx",
  "dockercoins/rng",
  "dockercoins/hasher",
  "dockercoins/worker",
  "dockercoins/webui",
  "kleeweb/web",
  "kleeweb/worker",
  "kleeweb/nginx",
] as const;
export type BuiltImage = (typeof BUILT_IMAGES)[number];

/** The course's published notifications key: the default, since students' probes are written against it. */
export const COURSE_NOTIFICATIONS_KEY = "QJUHsPhnA0eiqHuJqsPgzhDozYO4f1zh";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RegistrySettings {
  /** ghcr.io namespace the images are pushed under (user or organisation). */
  owner: string;
  username: string;
  token: pulumi.Output<string>;
}

export interface Ec2Settings {
  instanceType: string;
  /** Who may reach the lab ports and the Docker TLS port. */
  allowedCidr: string;
  /** Who may reach SSH; defaults to allowedCidr. */
  sshCidr: string;
  rootVolumeGb: number;
}

export interface LocalSettings {
  /** The engine's endpoint, e.g. unix:///var/run/docker.sock. */
  dockerHost: string;
  /** Absolute directory on this machine for bind-mounted lab data. */
  dataDir: string;
}

export interface NotificationsSettings {
  secretKey: pulumi.Output<string>;
  probeRuns: number;
}

export interface Cmpt756Settings {
  tableSuffix: string;
  billing: "on-demand" | "provisioned";
  seed: boolean;
}

export interface WebstackSettings {
  profile: "dev" | "prod";
  appWorkers: number;
  maxUploadBytes: number;
  retainDatabase: boolean;
}

export interface DockercoinsSettings {
  workers: number;
  rngReplicas: number;
  hasherReplicas: number;
  lessonDelayMs: number;
}

export interface KleewebSettings {
  subnet: string;
  gateway: string;
  workers: number;
  logLevel: LogLevel;
  protectDatabase: boolean;
  jobImage?: string;
}

/** Where the labs run: exactly one target's settings, so no caller has to assume which. */
export type Placement =
  | { target: "local"; local: LocalSettings; ec2?: undefined }
  | { target: "ec2"; ec2: Ec2Settings; local?: undefined };

export type LabsConfig = CommonConfig & Placement;

export interface CommonConfig {
  project: string;
  stack: string;
  /** aws:region: where the EC2 host and real tables live; DynamoDB Local's nominal region locally. */
  awsRegion: string;
  labs: LabName[];
  /** Present when images are pushed to ghcr.io (ec2 with at least one image to build). */
  registry?: RegistrySettings;
  imageOverrides: Partial<Record<BuiltImage, string>>;
  /** Host ports moved elsewhere: the lab's published port -> the port used instead (e.g. when 8000 is taken). */
  portRemap: Map<number, number>;
  notifications: NotificationsSettings;
  cmpt756: Cmpt756Settings;
  webstack: WebstackSettings;
  dockercoins: DockercoinsSettings;
  kleeweb: KleewebSettings;
}

/** Thrown with every configuration problem found, one per line. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigurationError";
  }
}

/** Reads keys of one config namespace, collecting problems instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  private readonly config: pulumi.Config;

  constructor(readonly namespace: string) {
    this.config = new pulumi.Config(namespace);
  }

  private problem(key: string, value: unknown, allowed: string): void {
    const shown = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
    this.problems.push(`${this.namespace}:${key} = ${shown}: ${allowed}`);
  }

  /** A key that has a default in Pulumi.yaml (or is optional): undefined when unset. */
  raw(key: string): string | undefined {
    const value = this.config.get(key);
    return value === "" ? undefined : value;
  }

  string(key: string, fallback: string): string;
  string(key: string): string | undefined;
  string(key: string, fallback?: string): string | undefined {
    return this.raw(key) ?? fallback;
  }

  required(key: string, why: string): string {
    const value = this.raw(key);
    if (value === undefined) this.problem(key, undefined, `required ${why}`);
    return value ?? "";
  }

  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(key) ?? fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(key, value, `one of ${choices.join(", ")}`);
    return fallback;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (Number.isSafeInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    this.problem(key, value, `an integer from ${min} to ${max}`);
    return fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === "true" || value === "false") return value === "true";
    this.problem(key, value, "true or false");
    return fallback;
  }

  stringList(key: string, fallback: readonly string[]): string[] {
    const value = this.raw(key);
    if (value === undefined) return [...fallback];
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed;
    } catch {
      // reported below
    }
    this.problem(key, value, "a list of strings");
    return [...fallback];
  }

  cidr(key: string, value: string | undefined): string {
    if (value !== undefined && isCidr(value)) return value;
    this.problem(key, value, "an IPv4 CIDR such as 203.0.113.7/32");
    return "";
  }

  ipInSubnet(key: string, ip: string, subnet: string): string {
    if (!isIpv4(ip)) this.problem(key, ip, "an IPv4 address");
    else if (isCidr(subnet) && !cidrContains(subnet, ip)) this.problem(key, ip, `an address inside ${subnet}`);
    return ip;
  }

  /**
   * A secret, checked while still in plaintext here so a bad one fails at
   * preview like any other key; the message gives only the problem, never the value.
   */
  secret(key: string, check?: (value: string) => string | undefined): pulumi.Output<string> | undefined {
    const plaintext = pulumi.runtime.getConfig(`${this.namespace}:${key}`);
    if (plaintext === undefined || plaintext === "") return undefined;
    const problem = check?.(plaintext);
    if (problem) this.problems.push(`${this.namespace}:${key} = [secret]: ${problem}`);
    return this.config.requireSecret(key);
  }

  check(condition: boolean, key: string, value: unknown, allowed: string): void {
    if (!condition) this.problem(key, value, allowed);
  }
}

function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split("/");
  return rest.length === 0 && isIpv4(ip) && /^\d{1,2}$/.test(bits ?? "") && Number(bits) <= 32;
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  const address = ipToNumber(ip);
  return address >= start && address < start + size;
}

const DIGEST_REF = /^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*@sha256:[a-f0-9]{64}$/;

function readImageOverrides(reader: Reader): Partial<Record<BuiltImage, string>> {
  const overrides: Partial<Record<BuiltImage, string>> = {};
  for (const entry of reader.stringList("imageOverrides", [])) {
    const [image, ref, ...rest] = entry.split("=");
    if (rest.length > 0 || !ref || !(BUILT_IMAGES as readonly string[]).includes(image)) {
      reader.check(false, "imageOverrides", entry, `entries "<lab>/<service>=<image>@sha256:<digest>" with <lab>/<service> one of ${BUILT_IMAGES.join(", ")}`);
    } else if (!DIGEST_REF.test(ref)) {
      reader.check(false, "imageOverrides", entry, "an image reference pinned by digest (name@sha256:<64 hex>)");
    } else {
      overrides[image as BuiltImage] = ref;
    }
  }
  return overrides;
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

function readPortRemap(reader: Reader): Map<number, number> {
  const remap = new Map<number, number>();
  for (const entry of reader.stringList("portRemap", [])) {
    const [from, to, ...rest] = entry.split("=");
    const valid = rest.length === 0 && isPort(from ?? "") && isPort(to ?? "");
    reader.check(valid, "portRemap", entry, `entries "<published port>=<host port>", each port from 1 to 65535`);
    if (valid) remap.set(Number(from), Number(to));
  }
  return remap;
}

function readLabs(reader: Reader): LabName[] {
  const labs = reader.stringList("labs", LAB_NAMES);
  const unknown = labs.filter((lab) => !(LAB_NAMES as readonly string[]).includes(lab));
  reader.check(unknown.length === 0, "labs", labs, `lab names from ${LAB_NAMES.join(", ")} (unknown: ${unknown.join(", ")})`);
  return LAB_NAMES.filter((lab) => labs.includes(lab));
}

/** True when some enabled lab builds an image that no override replaces. */
function buildsImages(labs: LabName[], overrides: Partial<Record<BuiltImage, string>>): boolean {
  return BUILT_IMAGES.some((image) => labs.includes(image.split("/")[0] as LabName) && overrides[image] === undefined);
}

/** Reads and validates the current stack's configuration; throws ConfigurationError listing every problem. */
export function loadConfig(): LabsConfig {
  const reader = new Reader(PROJECT);
  const stack = pulumi.getStack();
  const target = reader.choice("target", TARGETS, "local");
  const labs = readLabs(reader);
  const imageOverrides = readImageOverrides(reader);
  const portRemap = readPortRemap(reader);

  let registry: RegistrySettings | undefined;
  let placement: Placement;
  if (target === "ec2") {
    if (buildsImages(labs, imageOverrides)) {
      const why = "when target is ec2: images are pushed to ghcr.io";
      const owner = reader.required("ghcrOwner", why);
      const username = reader.string("ghcrUsername") ?? owner;
      const token = reader.secret("ghcrToken");
      reader.check(token !== undefined, "ghcrToken", undefined, `required ${why} (set it with --secret: a token with write:packages)`);
      reader.check(/^[a-z0-9](?:[a-z0-9-]{0,38})$/i.test(owner) || owner === "", "ghcrOwner", owner, "a GitHub user or organisation name");
      registry = { owner: owner.toLowerCase(), username, token: token ?? pulumi.secret("") };
    }
    const allowedCidr = reader.cidr("ec2AllowedCidr", reader.raw("ec2AllowedCidr"));
    placement = {
      target,
      ec2: {
        instanceType: reader.string("ec2InstanceType", "t3.medium"),
        allowedCidr,
        sshCidr: reader.cidr("ec2SshCidr", reader.raw("ec2SshCidr") ?? (allowedCidr || undefined)),
        rootVolumeGb: reader.integer("ec2RootVolumeGb", 30, 8, 1024),
      },
    };
  } else {
    const dataDir = reader.string("localDataDir") ?? path.join(os.homedir(), ".container-labs", stack);
    reader.check(path.isAbsolute(dataDir), "localDataDir", dataDir, "an absolute directory path");
    placement = { target, local: { dockerHost: reader.string("localDockerHost", "unix:///var/run/docker.sock"), dataDir } };
  }

  const notificationsKey = reader.secret("notificationsSecretKey", (key) => {
    const bytes = Buffer.byteLength(key);
    return bytes === 32 ? undefined : `exactly 32 bytes (the AES-256 key), got ${bytes}`;
  });
  const kleewebSubnet = reader.cidr("kleewebSubnet", reader.string("kleewebSubnet", "172.18.0.0/16"));
  const config: LabsConfig = {
    project: PROJECT,
    stack,
    ...placement,
    awsRegion: new Reader("aws").string("region") ?? "us-east-1",
    labs,
    registry,
    imageOverrides,
    portRemap,
    notifications: {
      secretKey: notificationsKey ?? pulumi.secret(COURSE_NOTIFICATIONS_KEY),
      probeRuns: reader.integer("notificationsProbeRuns", 3, 1, 100),
    },
    cmpt756: {
      tableSuffix: reader.string("cmpt756TableSuffix") ?? stack,
      billing: reader.choice("cmpt756Billing", ["on-demand", "provisioned"] as const, "on-demand"),
      seed: reader.boolean("cmpt756Seed", false),
    },
    webstack: {
      profile: reader.choice("webstackProfile", ["dev", "prod"] as const, "dev"),
      appWorkers: reader.integer("webstackAppWorkers", 2, 1, 32),
      maxUploadBytes: reader.integer("webstackMaxUploadBytes", 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      retainDatabase: reader.boolean("webstackRetainDatabase", true),
    },
    dockercoins: {
      workers: reader.integer("dockercoinsWorkers", 1, 0, 50),
      rngReplicas: reader.integer("dockercoinsRngReplicas", 1, 1, 20),
      hasherReplicas: reader.integer("dockercoinsHasherReplicas", 1, 1, 20),
      lessonDelayMs: reader.integer("dockercoinsLessonDelayMs", 100, 0, 10000),
    },
    kleeweb: {
      subnet: kleewebSubnet,
      gateway: reader.ipInSubnet("kleewebGateway", reader.string("kleewebGateway", "172.18.0.1"), kleewebSubnet),
      workers: reader.integer("kleewebWorkers", 2, 1, 20),
      logLevel: reader.choice("kleewebLogLevel", LOG_LEVELS, "info"),
      protectDatabase: reader.boolean("kleewebProtectDatabase", true),
      jobImage: reader.string("kleewebJobImage"),
    },
  };
  const suffix = config.cmpt756.tableSuffix;
  reader.check(/^[A-Za-z0-9_.-]{1,200}$/.test(suffix), "cmpt756TableSuffix", suffix, "letters, digits, '_', '-' or '.' (DynamoDB table name rules)");
  if (config.kleeweb.jobImage !== undefined) {
    reader.check(DIGEST_REF.test(config.kleeweb.jobImage), "kleewebJobImage", config.kleeweb.jobImage, "an image reference pinned by digest (name@sha256:<64 hex>)");
  }

  if (reader.problems.length > 0) throw new ConfigurationError(reader.problems);
  return config;
}
