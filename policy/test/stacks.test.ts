/**
 * The whole program of each stack, run under the project's mocks, judged by
 * every rule of the pack as the engine's analyzer would judge it: what a
 * `pulumi preview --policy-pack policy` would report, without the CLI.
 */
import { createHash } from "node:crypto";
import type { PolicyProviderResource } from "@pulumi/policy";
import { loadConfig } from "../../config";
import { deployLabs } from "../../program";
import { LABS } from "../../components/labs";
import type { LabName } from "../../config";
import { runStack, type Recorded, type RunOptions, type StackRun } from "../../test/support/mocks";
import { labsOn } from "../../test/support/swarmProgram";
import { LABELS, labelValue } from "../lib/labels";
import { TYPES } from "../lib/resourceTypes";
import { resourcePolicies, stackPolicies } from "../rules";
import { allViolations, stackViolations, type ResourceUnderTest } from "./evaluate";

const program = () => deployLabs(loadConfig());
type Run = StackRun<ReturnType<typeof program>>;

const STACKS: Array<[string, RunOptions]> = [
  ["local", {}],
  ["dev", { secrets: { registryToken: "ghp_test" } }],
];

/**
 * The mocks give each pulled image the ID `sha256:image-id-of-<name>`; an
 * engine reports `sha256:<64 hex>`. Containers are judged with an ID of the
 * engine's shape, so the digest rule tests the program and not the stand-in.
 */
function asEngineImageId(image: unknown): unknown {
  return typeof image === "string" && image.startsWith("sha256:image-id-of-")
    ? `sha256:${createHash("sha256").update(image).digest("hex")}`
    : image;
}

/**
 * The explicit provider a resource names, as the analyzer passes it
 * (reference: `<provider URN>::<id>`, URN ending `...$pulumi:providers:<pkg>::<name>`).
 * Resources on a default provider get none here; the engine would pass the
 * default provider, which has no endpoints and so exempts nothing either.
 */
function providerOf(run: StackRun<unknown>, reference: string | undefined): PolicyProviderResource | undefined {
  if (!reference) return undefined;
  const parts = reference.split("::");
  const [qualifiedType, name] = parts.slice(-3, -1);
  const type = qualifiedType.split("$").pop()!;
  const provider = run.resources.find((resource) => resource.type === type && resource.name === name);
  if (!provider) throw new Error(`no recorded provider for ${reference}`);
  return { type, name, urn: parts.slice(0, -1).join("::"), props: provider.inputs };
}

/** A recorded resource as the analyzer sees it: inputs with secrets decrypted, and the options the protocol carries. */
function asAnalyzed(run: StackRun<unknown>, stack: string, resource: Recorded): ResourceUnderTest {
  const props = resource.type === TYPES.container ? { ...resource.inputs, image: asEngineImageId(resource.inputs.image) } : resource.inputs;
  return {
    type: resource.type,
    name: resource.name,
    stack,
    props,
    opts: {
      protect: resource.options.protect ?? false,
      ignoreChanges: resource.options.ignoreChanges ?? [],
      deleteBeforeReplace: resource.options.deleteBeforeReplace,
      additionalSecretOutputs: resource.options.additionalSecretOutputs ?? [],
    },
    provider: providerOf(run, resource.provider),
    dependsOn: resource.dependsOn,
  };
}


/** What the pack reports for every resource of a run, and for the run as a stack. */
async function judge(run: StackRun<unknown>, stack: string): Promise<string[]> {
  const analyzed = run.resources.map((resource) => asAnalyzed(run, stack, resource));
  const found = await allViolations(resourcePolicies, analyzed);
  for (const policy of stackPolicies) {
    for (const { message } of await stackViolations(policy, analyzed)) found.push(`${policy.name}: ${message}`);
  }
  return found;
}

describe.each(STACKS)("the %s stack", (stack, options) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, options);
  });

  it("meets every rule of the policy pack", async () => {
    expect(await judge(run, stack)).toEqual([]);
  });

  // The pack cannot see secrecy or retainOnDelete, so it trusts two declarations; these keep them true.
  it("declares a container's envs secret to the pack (additionalSecretOutputs) exactly when they are passed as a secret", () => {
    const containers = run.ofType(TYPES.container);
    const secretEnvs = containers.filter((container) => container.secretInputs.includes("envs")).map((container) => container.name);
    const declared = containers.filter((container) => container.options.additionalSecretOutputs?.includes("envs")).map((container) => container.name);
    expect(secretEnvs).toContain("cmpt756-db");
    expect(declared).toEqual(secretEnvs);
  });

  it(`labels a volume ${LABELS.retainOnDelete}=true exactly when it is retained on delete`, () => {
    const volumes = run.ofType(TYPES.volume);
    const retained = volumes.filter((volume) => volume.options.retainOnDelete === true).map((volume) => volume.inputs.name);
    const labelled = volumes.filter((volume) => labelValue(volume.inputs.labels, LABELS.retainOnDelete) === "true").map((volume) => volume.inputs.name);
    expect(labelled).toEqual(retained);
  });
});

describe("a broken variant of the dev stack", () => {
  it("without one service's pids-limit command, reports exactly that service's containers", async () => {
    const { secrets } = STACKS[1][1];
    const run = await runStack("dev", program, { secrets });
    const baseline = new Set(await judge(run, "dev"));
    const dropped = run.resources.find((resource) => resource.name === "dockercoins-worker-pids-limit")!;
    const containers = run.ofType(TYPES.container).map((container) => container.name).filter((name) => dropped.dependsOn.includes(name));
    expect(containers).toEqual(["dockercoins-worker-1", "dockercoins-worker-2"]);
    const broken = await judge({ ...run, resources: run.resources.filter((resource) => resource !== dropped) }, "dev");
    expect(broken.filter((violation) => !baseline.has(violation)).sort()).toEqual(
      containers.map((name) => expect.stringMatching(new RegExp(`^containers-have-a-pids-limit: container ${name} has no pids limit`))),
    );
  });

  // config.ts refuses such a network for ec2SshCidr, so the variant is the dev stack with its security group edited.
  it("opening SSH to the internet adds exactly the SSH violation", async () => {
    const { secrets } = STACKS[1][1];
    const run = await runStack("dev", program, { secrets });
    const baseline = new Set(await judge(run, "dev"));
    const openSsh = (rule: { fromPort: number }) => (rule.fromPort === 22 ? { ...rule, cidrBlocks: ["0.0.0.0/0"] } : rule);
    const resources = run.resources.map((resource) =>
      resource.type === TYPES.securityGroup ? { ...resource, inputs: { ...resource.inputs, ingress: resource.inputs.ingress.map(openSsh) } } : resource);
    const broken = await judge({ ...run, resources }, "dev");
    expect(broken.filter((violation) => !baseline.has(violation))).toEqual([
      expect.stringMatching(/^no-admin-ports-open-to-the-world: security group host-sg: port 22 \(SSH\): 0\.0\.0\.0\/0 is wider than a \/16/),
      expect.stringMatching(/^no-admin-ports-open-to-the-world: security group host-sg: port 22 \(SSH\): ingress from 0\.0\.0\.0\/0\b.*opens it to the internet/),
    ]);
  });
});

describe("every lab as swarm services, on a swarm of hosts without IPVS", () => {
  let run: StackRun<void>;
  beforeAll(async () => {
    run = await runStack("local", labsOn(Object.keys(LABS) as LabName[], "dnsrr"), { set: { cmpt756Seed: "true" } });
  });

  it("meets every rule of the policy pack, each judging a service as its tasks' container", async () => {
    expect(run.ofType(TYPES.service).length).toBeGreaterThan(20);
    expect(await judge(run, "local")).toEqual([]);
  });

  it("declares a service's task spec secret to the pack (additionalSecretOutputs) when its environment holds a secret", () => {
    const services = run.ofType(TYPES.service);
    const secret = services.filter((service) => service.secretInputs.includes("taskSpec")).map((service) => service.name);
    const declared = services.filter((service) => service.options.additionalSecretOutputs?.includes("taskSpec")).map((service) => service.name);
    expect(declared).toEqual(expect.arrayContaining(["cmpt756-db", "webstack-app", "kleeweb-web", "kleeweb-worker"]));
    // The notifications key is in the service's command line, not its environment: the pack's env rule has nothing to judge there.
    expect(secret.filter((name) => !declared.includes(name))).toEqual(["notifications-service"]);
  });
});
