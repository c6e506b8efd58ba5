/**
 * The work a one-service `up` cannot avoid, measured apart from Pulumi on the
 * deployed ci stack: that service's own image build (`docker buildx build`
 * with the inputs the stack's state records for it, after an edit of its
 * own, so that exactly the layers the `up` rebuilt are built again) and the
 * start of its containers (stopped first, then started together).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { labsOk, ONE_LINE_EDIT, type CiStack } from "@container-labs/test-kit";

const execFileAsync = promisify(execFile);

interface StateResource {
  type: string;
  urn: string;
  inputs?: Record<string, unknown>;
}

/** A tag of the benchmark's own, removed after the build. */
const OWN_BUILD_TAG = "container-labs-bench/own-build:latest";
/**
 * A line other than the `up`'s edit, and like it new in every run (it carries
 * the run's id): the build misses the cache where the `up`'s did, and rebuilds
 * the layers that build rebuilt.
 */
export const OWN_BUILD_EDIT = `${ONE_LINE_EDIT.line}, built by the benchmark alone`;

async function run(stack: CiStack, command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { env: stack.env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The stack's resources as its state records them (`npm run pulumi -- stack export`: the checkout's backend). */
export async function stateResources(stack: CiStack, name: string): Promise<StateResource[]> {
  const { output } = await labsOk(stack, ["pulumi", "stack", "export", "--stack", name], { quiet: true });
  return (JSON.parse(output.slice(output.indexOf("{"))) as { deployment: { resources: StateResource[] } }).deployment.resources;
}

/**
 * Seconds of `docker buildx build` of the service's image as the stack built
 * it (context, Dockerfile, target, build arguments from the state; the CA
 * bundle the stack's builds trust, when there is one). Run with the edit in place.
 */
export async function ownBuildSeconds(stack: CiStack, resources: StateResource[], service: string, caBundle: string | undefined): Promise<number> {
  const build = resources.find((resource) => resource.type === "docker-build:index:Image" && resource.urn.endsWith(`::${service}-build`));
  if (!build?.inputs) throw new Error(`no docker-build Image ${service}-build in the state`);
  const inputs = build.inputs as { context: { location: string }; dockerfile: { location: string }; target?: string; buildArgs?: Record<string, string> };
  const args = ["buildx", "build", "--builder", "default", "--file", inputs.dockerfile.location, "--tag", OWN_BUILD_TAG];
  if (inputs.target) args.push("--target", inputs.target);
  for (const [key, value] of Object.entries(inputs.buildArgs ?? {})) args.push("--build-arg", `${key}=${value}`);
  if (caBundle) args.push("--secret", `id=extra_ca,src=${caBundle}`);
  try {
    return await timed(() => run(stack, "docker", [...args, inputs.context.location]));
  } finally {
    await run(stack, "docker", ["image", "rm", OWN_BUILD_TAG]).catch(() => undefined);
  }
}

/** Seconds of `docker start` of the service's containers (named <service>-N), stopped just before. */
export async function containersStartSeconds(stack: CiStack, service: string): Promise<{ containers: string[]; seconds: number }> {
  const containers = (await run(stack, "docker", ["ps", "--filter", `name=^${service}-[0-9]+$`, "--format", "{{.Names}}"])).split("\n").filter(Boolean).sort();
  if (containers.length === 0) throw new Error(`no running container named ${service}-N`);
  await run(stack, "docker", ["stop", ...containers]);
  return { containers, seconds: await timed(() => run(stack, "docker", ["start", ...containers])) };
}
