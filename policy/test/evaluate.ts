/**
 * Runs policies the way the engine's analyzer would, on resource arguments
 * built in the test, and collects what they report.
 */
import type { PolicyProviderResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

export interface ResourceUnderTest {
  type: string;
  props: Record<string, unknown>;
  /** Defaults to the type's last segment. */
  name?: string;
  /** The stack in the resource's URN; defaults to "dev". */
  stack?: string;
  opts?: Partial<PolicyResourceOptions>;
  provider?: PolicyProviderResource;
}

const NO_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function unsupported(what: string): never {
  throw new Error(`the rules do not use ${what}; the test harness does not provide it`);
}

export function resourceArgs(resource: ResourceUnderTest): ResourceValidationArgs {
  const name = resource.name ?? resource.type.split(":").pop()!;
  return {
    type: resource.type,
    props: resource.props,
    urn: `urn:pulumi:${resource.stack ?? "dev"}::container-labs::${resource.type}::${name}`,
    name,
    opts: { ...NO_OPTIONS, ...resource.opts },
    provider: resource.provider,
    stackTags: new Map(),
    isType: () => unsupported("isType"),
    asType: () => unsupported("asType"),
    getConfig: () => unsupported("getConfig"),
    notApplicable: () => unsupported("notApplicable"),
  };
}

/** The messages `policy` reports for `resource`. */
export async function violations(policy: ResourceValidationPolicy, resource: ResourceUnderTest): Promise<string[]> {
  const reported: string[] = [];
  for (const validate of [policy.validateResource ?? []].flat()) {
    await validate(resourceArgs(resource), (message) => reported.push(message));
  }
  return reported;
}

/** `policy name: message` for every violation of any of `policies` by any of `resources`, named by resource. */
export async function allViolations(policies: ResourceValidationPolicy[], resources: ResourceUnderTest[]): Promise<string[]> {
  const found: string[] = [];
  for (const resource of resources) {
    for (const policy of policies) {
      for (const message of await violations(policy, resource)) found.push(`${policy.name}: ${resource.name ?? resource.type}: ${message}`);
    }
  }
  return found;
}
