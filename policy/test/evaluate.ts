/**
 * Runs policies the way the engine's analyzer would, on resource arguments
 * built in the test, and collects what they report.
 */
import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface ResourceUnderTest {
  type: string;
  props: Record<string, unknown>;
  /** Defaults to the type's last segment. */
  name?: string;
  /** The stack in the resource's URN; defaults to "dev". */
  stack?: string;
  opts?: Partial<PolicyResourceOptions>;
  provider?: PolicyProviderResource;
  /** Names of the resources it depends on (stack policies only). */
  dependsOn?: string[];
  /** Names of the resources each property depends on (stack policies only). */
  propertyDependencies?: Record<string, string[]>;
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

const nameOf = (resource: ResourceUnderTest): string => resource.name ?? resource.type.split(":").pop()!;
const urnOf = (resource: ResourceUnderTest): string => `urn:pulumi:${resource.stack ?? "dev"}::container-labs::${resource.type}::${nameOf(resource)}`;

export function resourceArgs(resource: ResourceUnderTest): ResourceValidationArgs {
  const name = nameOf(resource);
  return {
    type: resource.type,
    props: resource.props,
    urn: urnOf(resource),
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

/** The resources as a stack policy sees them, each dependency (named in the test) resolved to its resource. */
function stackResources(resources: ResourceUnderTest[]): PolicyResource[] {
  const byName = new Map<string, PolicyResource>();
  const analyzed = resources.map((resource) => {
    const { type, props, urn, name, opts, provider } = resourceArgs(resource);
    const policyResource: PolicyResource = {
      type, props, urn, name, opts, provider, dependencies: [], propertyDependencies: {},
      isType: () => unsupported("isType"),
      asType: () => unsupported("asType"),
    };
    byName.set(name, policyResource);
    return policyResource;
  });
  const resolve = (names: string[] | undefined) => (names ?? []).map((name) => {
    const found = byName.get(name);
    if (!found) throw new Error(`no resource named ${name} in the stack under test`);
    return found;
  });
  resources.forEach((resource, index) => {
    analyzed[index].dependencies = resolve(resource.dependsOn);
    analyzed[index].propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies ?? {}).map(([key, names]) => [key, resolve(names)]));
  });
  return analyzed;
}

/** The messages `policy` reports for a stack of `resources`, each with the URN it names. */
export async function stackViolations(policy: StackValidationPolicy, resources: ResourceUnderTest[]): Promise<Array<{ message: string; urn?: string }>> {
  const reported: Array<{ message: string; urn?: string }> = [];
  const args = { resources: stackResources(resources), stackTags: new Map(), getConfig: () => unsupported("getConfig"), notApplicable: () => unsupported("notApplicable") };
  await policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
  return reported;
}
