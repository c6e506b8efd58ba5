/**
 * Runs the whole Pulumi program of a stack under mocks and records every
 * resource it registers, with its inputs, so tests can assert on what a user
 * depends on. Outputs the program reads are filled in per type, the way the
 * providers would; an invoke the mocks do not know fails the run.
 */
import * as pulumi from "@pulumi/pulumi";
import { stackConfig } from "./stackConfig";

export interface RecordedOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  customTimeouts?: pulumi.CustomTimeouts;
  additionalSecretOutputs?: string[];
  replaceOnChanges?: string[];
}

function recordedOptions(options: pulumi.CustomResourceOptions): RecordedOptions {
  const { protect, retainOnDelete, deleteBeforeReplace, ignoreChanges, customTimeouts, additionalSecretOutputs, replaceOnChanges } = options;
  return Object.fromEntries(
    Object.entries({ protect, retainOnDelete, deleteBeforeReplace, ignoreChanges, customTimeouts, additionalSecretOutputs, replaceOnChanges }).filter(([, value]) => value !== undefined),
  );
}

export interface Recorded {
  type: string;
  name: string;
  /** The ID the mocks gave it. */
  id: string;
  inputs: Record<string, any>;
  provider?: string;
  /** Top-level inputs that arrived as secrets. */
  secretInputs: string[];
  /** Names of the resources this one was told to wait for (its dependsOn). */
  dependsOn: string[];
  /** Resource options that matter to users (plain values only: resources in options would make huge diffs). */
  options: RecordedOptions;
  /** Its replacement trigger, resolved (not in a preview); undefined when it has none. */
  replacementTrigger?: unknown;
}

let counter = 0;
const fakeDigest = (seed: string): string =>
  `sha256:${Buffer.from(seed).toString("hex").padEnd(64, "0").slice(0, 64)}`;

/** The outputs each resource type computes, as far as the program reads them. */
function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "docker-build:index:Image": {
      const digest = fakeDigest(name);
      return { digest, contextHash: `hash-${name}`, ref: `${inputs.tags?.[0] ?? name}@${digest}` };
    }
    case "docker:index/remoteImage:RemoteImage":
      return { imageId: `sha256:image-id-of-${name}`, repoDigest: inputs.name };
    case "aws:ec2/instance:Instance":
      // The instance's own public IP, which changes on stop/start; the host is reached through its Elastic IP below.
      // Its private IP in the VPC: instance n of ec2HostCount (host-<n>-instance) at .n, the first at .1.
      return { publicIp: "192.0.2.99", publicDns: "ec2-192-0-2-99.compute.amazonaws.com", privateIp: `10.0.1.${/-(\d+)-instance$/.exec(name)?.[1] ?? 1}`, arn: `arn:aws:ec2:eu-west-1:123456789012:instance/${name}` };
    case "aws:ec2/eip:Eip":
      return { publicIp: "203.0.113.10", publicDns: "ec2-203-0-113-10.eu-west-1.compute.amazonaws.com", allocationId: `eipalloc-${name}` };
    case "aws:ebs/volume:Volume":
      return { arn: `arn:aws:ec2:eu-west-1:123456789012:volume/${name}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::123456789012:role/${name}`, name: inputs.name ?? name };
    case "aws:iam/instanceProfile:InstanceProfile":
      return { name: inputs.name ?? name, arn: `arn:aws:iam::123456789012:instance-profile/${name}` };
    case "aws:dynamodb/table:Table":
      return { arn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${inputs.name}` };
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${name}\n-----END PRIVATE KEY-----\n`, privateKeyOpenssh: `openssh-${name}`, publicKeyOpenssh: `ssh-ed25519 ${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `csr-${name}` };
    case "pulumi-nodejs:dynamic/container-labs:LocalCommand":
    case "pulumi-nodejs:dynamic/container-labs:RemoteCommand":
      // What the latency probe's script prints: one latency per line.
      return { stdout: /latency probe/.test(String(inputs.create)) ? "0.0021\n0.0018\n0.0019\n" : "", stderr: "" };
    case "pulumi-nodejs:dynamic/container-labs:SwarmNode":
      // Every node reports its ID; the founder (which joins nothing) the swarm's join tokens too.
      return { nodeId: `id-${name}`, ...(inputs.join ? {} : { workerToken: `SWMTKN-1-worker-${name}`, managerToken: `SWMTKN-1-manager-${name}` }) };
    case "pulumi-nodejs:dynamic/container-labs:LocalDynamoTable":
      // The DynamoDB Local tables (localDynamoTable.ts).
      return { arn: `arn:aws:dynamodb:ddblocal:000000000000:table/${inputs.tableName}` };
    case "pulumi-nodejs:dynamic/container-labs:GeneratedSecret":
      return { result: `generated-${name}` };
    case "pulumi-nodejs:dynamic/container-labs:GeneratedKeyPair":
      return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${name}\n-----END PRIVATE KEY-----\n`, publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${name}\n-----END PUBLIC KEY-----\n` };
    default:
      return {};
  }
}

/** How the runtime marks a secret value on the wire. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function isSecretSentinel(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Inputs with secrets replaced by their values (provider inputs arrive as JSON strings: parsed back). */
function unwrapSecrets(value: unknown): unknown {
  if (isSecretSentinel(value)) {
    const inner = value.value;
    if (typeof inner === "string" && /^[[{]/.test(inner)) {
      try {
        return unwrapSecrets(JSON.parse(inner));
      } catch {
        return inner;
      }
    }
    return unwrapSecrets(inner);
  }
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

/** Providers receive non-string settings as JSON strings: parsed back for assertions. */
function providerInputs(raw: Record<string, any>): Record<string, any> {
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => {
    if (typeof value !== "string") return [key, value];
    try {
      return [key, JSON.parse(value)];
    } catch {
      return [key, value];
    }
  }));
}

function dependencyNames(options: pulumi.CustomResourceOptions): string[] {
  const deps = options.dependsOn;
  const list = Array.isArray(deps) ? deps : deps ? [deps] : [];
  return list.flatMap((dep) => (pulumi.Resource.isInstance(dep) ? [(dep as unknown as { __name?: string }).__name ?? ""] : []));
}

function invoke(token: string, args: Record<string, any>): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi":
      return { id: "ami-0123456789abcdef0", name: args.filters?.[0]?.values?.[0] ?? "ubuntu" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "AIDTEST" };
    case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
      // Listed out of order, as the API may: the program must choose by name, not by position.
      return { id: "eu-west-1", locations: ["eu-west-1c", "eu-west-1a", "eu-west-1b"], locationTypes: ["availability-zone", "availability-zone", "availability-zone"], instanceTypes: [args.filters?.[0]?.values?.[0], args.filters?.[0]?.values?.[0], args.filters?.[0]?.values?.[0]] };
    case "aws:index/getRegion:getRegion":
      return { name: "eu-west-1", region: "eu-west-1" };
    default:
      throw new Error(`the mocks do not know the invoke ${token}: add it to test/support/mocks.ts`);
  }
}

export interface StackRun<T> {
  resources: Recorded[];
  outputs: T;
  /** Resources of one type (e.g. "docker:index/container:Container"). */
  ofType(type: string): Recorded[];
  /** The one resource of a type whose input `key` equals `value`; fails if not exactly one. */
  one(type: string, key: string, value: unknown): Recorded;
}

export interface RunOptions {
  /** Config keys of the project (without prefix) set on top of the stack file. */
  set?: Record<string, unknown>;
  secrets?: Record<string, string>;
  preview?: boolean;
  /** DOCKER_HOST as the program sees it; unset unless given, whatever the test run's own environment has. */
  dockerHost?: string;
}

interface MonitorWithOutputs {
  registerResourceOutputs(request: { getUrn(): string }, callback: (...args: unknown[]) => void): void;
}

/** Resolves when the current mock monitor receives the root stack's outputs. */
function watchStackOutputs(): Promise<void> {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorWithOutputs;
  const original = monitor.registerResourceOutputs.bind(monitor);
  return new Promise((resolve) => {
    monitor.registerResourceOutputs = (request, callback) => {
      original(request, callback);
      if (request.getUrn().includes("::pulumi:pulumi:Stack::")) resolve();
    };
  });
}

/**
 * The SDK takes a whole stack trace for every resource it registers (its source position) and every
 * promise it tracks (for leak reports). Under jest each trace is mapped through source maps, which
 * took half of a run's time; the mocks never read them, so runs format traces as V8 does, plainly.
 * An error a program throws keeps its message; its stack shows compiled positions.
 */
let plainRuns = 0;
let mappedStackTraces: typeof Error.prepareStackTrace;

async function withPlainStackTraces<T>(work: () => Promise<T>): Promise<T> {
  if (plainRuns++ === 0) {
    mappedStackTraces = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => [String(error), ...frames.map((frame) => `    at ${frame}`)].join("\n");
  }
  try {
    return await work();
  } finally {
    if (--plainRuns === 0) Error.prepareStackTrace = mappedStackTraces;
  }
}

/** Sets config and mocks for `stack`, runs `program`, and waits for every registration to finish. */
export function runStack<T>(stack: string, program: () => T, options: RunOptions = {}): Promise<StackRun<T>> {
  return withPlainStackTraces(() => runProgram(stack, program, options));
}

async function runProgram<T>(stack: string, program: () => T, options: RunOptions): Promise<StackRun<T>> {
  const resources: Recorded[] = [];
  // Unknown in a preview: resolved only in an update.
  const preview = options.preview ?? false;
  const triggersResolved: Promise<void>[] = [];
  const optionsByName = new Map<string, pulumi.CustomResourceOptions>();
  const { values, secretKeys } = stackConfig(stack, options.set, options.secrets);
  pulumi.runtime.setAllConfig(values, secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const raw = args.inputs as Record<string, any>;
        const inputs = unwrapSecrets(args.type.startsWith("pulumi:providers:") ? providerInputs(raw) : raw) as Record<string, any>;
        const secretInputs = Object.keys(raw).filter((key) => isSecretSentinel(raw[key]));
        const options = optionsByName.get(`${args.type}::${args.name}`) ?? {};
        counter += 1;
        const recorded: Recorded = {
          type: args.type,
          name: args.name,
          id: `${args.name}-id-${counter}`,
          inputs,
          secretInputs,
          provider: args.provider,
          options: recordedOptions(options),
          dependsOn: dependencyNames(options),
        };
        resources.push(recorded);
        if (options.replacementTrigger !== undefined && !preview) {
          triggersResolved.push(resolve(options.replacementTrigger).then((trigger) => { recorded.replacementTrigger = trigger; }));
        }
        return { id: recorded.id, state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) } };
      },
      call(args) {
        return invoke(args.token, args.inputs as Record<string, any>);
      },
    },
    "container-labs",
    stack,
    preview,
  );
  // The stack's outputs are registered late (once its URN is known); a run is
  // over only when they have reached this run's mocks, not the next run's.
  const stackOutputsRegistered = watchStackOutputs();
  // Runs the program inside a root stack, as the language host does, so a stack
  // transformation can record each resource's options (dependsOn, protect...), which the mocks do not see.
  let outputs: T | undefined;
  let failure: unknown;
  const callersDockerHost = process.env.DOCKER_HOST;
  if (options.dockerHost === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = options.dockerHost;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      optionsByName.set(`${args.type}::${args.name}`, args.opts as pulumi.CustomResourceOptions);
      return undefined;
    });
    try {
      outputs = program();
    } catch (err) {
      failure = err;
    } finally {
      if (callersDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = callersDockerHost;
    }
    return {};
  });
  await stackOutputsRegistered;
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  await Promise.all(triggersResolved);
  if (failure !== undefined) throw failure;
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  return {
    resources,
    outputs: outputs as T,
    ofType,
    one(type, key, value) {
      const matches = ofType(type).filter((resource) => resource.inputs[key] === value);
      if (matches.length !== 1) {
        throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${matches.length}: ${ofType(type).map((r) => r.inputs[key]).join(", ")}`);
      }
      return matches[0];
    },
  };
}

const sharedRuns = new Map<unknown, Map<string, Promise<StackRun<unknown>>>>();

/**
 * runStack once per test file for a program, a stack and options: for the describes of a file that
 * read the same run (each run of the whole program under mocks takes seconds). Only for runs the
 * tests read and never change.
 */
export function sharedRun<T>(stack: string, program: () => T, options: RunOptions = {}): Promise<StackRun<T>> {
  const runs = sharedRuns.get(program) ?? new Map<string, Promise<StackRun<unknown>>>();
  sharedRuns.set(program, runs);
  const key = JSON.stringify([stack, options]);
  if (!runs.has(key)) runs.set(key, runStack(stack, program, options));
  return runs.get(key) as Promise<StackRun<T>>;
}

/** Resolves an Output (or plain value) the way `pulumi up` would, for assertions. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((done) => pulumi.output(value).apply((resolved) => { done(resolved as T); return resolved; }));
}

/** Whether an Output is marked secret. */
export function isSecret(value: pulumi.Input<unknown>): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(value));
}
