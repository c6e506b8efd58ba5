/**
 * Runs the whole Pulumi program of a stack under mocks and records every
 * resource it registers, with its inputs, so tests can assert on what a user
 * depends on. Outputs the program reads are filled in per type, the way the
 * providers would; an invoke the mocks do not know fails the run.
 */
import * as pulumi from "@pulumi/pulumi";
import { stackConfig } from "./stackConfig";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
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
      return { imageId: fakeDigest(`id-${name}`), repoDigest: inputs.name };
    case "aws:ec2/instance:Instance":
      return { publicIp: "203.0.113.10", publicDns: "ec2-203-0-113-10.compute.amazonaws.com", arn: `arn:aws:ec2:eu-west-1:123456789012:instance/${name}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::123456789012:role/${name}`, name: inputs.name ?? name };
    case "aws:dynamodb/table:Table":
      return { arn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${inputs.name}` };
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${name}\n-----END PRIVATE KEY-----\n`, privateKeyOpenssh: `openssh-${name}`, publicKeyOpenssh: `ssh-ed25519 ${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `csr-${name}` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `generated-${name}` };
    default:
      return {};
  }
}

function invoke(token: string, args: Record<string, any>): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi":
      return { id: "ami-0123456789abcdef0", name: args.filters?.[0]?.values?.[0] ?? "ubuntu" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "AIDTEST" };
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
}

/** Sets config and mocks for `stack`, runs `program`, and waits for every registration to finish. */
export async function runStack<T>(stack: string, program: () => T, options: RunOptions = {}): Promise<StackRun<T>> {
  const resources: Recorded[] = [];
  const { values, secretKeys } = stackConfig(stack, options.set, options.secrets);
  pulumi.runtime.setAllConfig(values, secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, any>;
        resources.push({ type: args.type, name: args.name, inputs, provider: args.provider });
        counter += 1;
        return { id: `${args.name}-id-${counter}`, state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) } };
      },
      call(args) {
        return invoke(args.token, args.inputs as Record<string, any>);
      },
    },
    "container-labs",
    stack,
    options.preview ?? false,
  );
  const outputs = program();
  // Registrations resolve asynchronously; wait until no new resource appears.
  let seen = -1;
  while (seen !== resources.length) {
    seen = resources.length;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  return {
    resources,
    outputs,
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

/** Resolves an Output (or plain value) the way `pulumi up` would, for assertions. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((done) => pulumi.output(value).apply((resolved) => { done(resolved as T); return resolved; }));
}

/** Whether an Output is marked secret. */
export function isSecret(value: pulumi.Input<unknown>): Promise<boolean> {
  return pulumi.output(value).isSecret;
}
