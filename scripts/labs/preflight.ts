/**
 * What `npm run up` checks before anything is created, each failure naming
 * the fix: the stack's configuration (the program's own validation), the
 * engine at `localDockerHost` and kleeweb's subnet on it (the program's own
 * preflight), no other stack's labs on that engine (otherStacks.ts), and
 * every host port the enabled labs publish.
 */
import { execFile } from "node:child_process";
import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, readConfig, type LabsConfig } from "../../config";
import { ConfigReader, ConfigurationError } from "../../components/config/reader";
import { checkEngine } from "../../components/platform/enginePreflight";
import { fixedSubnets, hostPorts } from "../../program";
import { checkOtherStacks } from "./otherStacks";
import { listConfig, UserError, type ConfigListing } from "./pulumi";
import type { StateResource } from "./stackState";

/** The stack's configuration as the program will see it, validated. */
export async function stackConfig(stack: string, env: NodeJS.ProcessEnv): Promise<LabsConfig> {
  return readStackConfig(stack, await listConfig(stack, env), env);
}

/** The configuration `listed` (listConfig) as the program will see it, validated. */
export function readStackConfig(stack: string, listed: ConfigListing, env: NodeJS.ProcessEnv): LabsConfig {
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, entry] of Object.entries(listed)) {
    values[key] = entry.objectValue !== undefined ? JSON.stringify(entry.objectValue) : (entry.value ?? "");
    if (entry.secret) secrets.push(key);
  }
  pulumi.runtime.setAllConfig(values, secrets);
  try {
    return readConfig(new ConfigReader(PROJECT), stack, env);
  } catch (err) {
    if (err instanceof ConfigurationError) throw new UserError(err.message);
    throw err;
  }
}

/** Whether this machine can listen on address:port (false when something holds it). */
function canListen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A nearby free port to suggest for portRemap. */
async function freePortNear(port: number, address: string): Promise<number | undefined> {
  for (const candidate of [port + 10000, port + 20000, port + 1, port + 2]) {
    if (candidate <= 65535 && (await canListen(address, candidate))) return candidate;
  }
  return undefined;
}

/** The problems with the host ports the labs will publish, each with the portRemap line that moves it; `ours`: the ports this stack's containers hold already (a redeploy keeps them). */
export async function portProblems(config: LabsConfig, stack: string, ours: Set<number>): Promise<string[]> {
  if (!config.local) return [];
  const problems: string[] = [];
  for (const { port: published, what, loopbackOnly } of hostPorts(config)) {
    const port = config.portRemap.get(published) ?? published;
    const address = loopbackOnly ? "127.0.0.1" : config.local.publishAddress;
    if (ours.has(port) || (await canListen(address, port))) continue;
    const free = await freePortNear(port, address);
    const remap = `npm run pulumi -- config set --path 'portRemap[${config.portRemap.size}]' ${published}=${free ?? "<a free port>"} --stack ${stack}`;
    problems.push(`port ${port} (${what}) is already taken on ${address}: stop what holds it (e.g. \`ss -ltnp 'sport = :${port}'\` shows it), or move the lab: ${remap}`);
  }
  return problems;
}

/** Every target builds through the machine's `docker buildx` (components/platform/builder.ts says why). */
function checkBuildx(env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("docker", ["buildx", "version"], { env }, (error) => {
      if (!error) resolve();
      else reject(new UserError(
        "`docker buildx version` fails: the labs' images are built with Docker's buildx plugin, which Docker Desktop has and Docker Engine's docker-buildx-plugin package adds (https://docs.docker.com/build/install-buildx/)",
      ));
    });
  });
}

/**
 * Every check but the configuration's own (stackConfig), in the order a user
 * would fix them; throws a UserError listing what is wrong. `state`: the stack's resources.
 */
export async function preflight(stack: string, config: LabsConfig, env: NodeJS.ProcessEnv, state: StateResource[]): Promise<void> {
  // Every target builds its images with this machine's engine.
  await checkBuildx(env);
  if (!config.local) return;
  try {
    await checkEngine({ endpoint: config.dockerHost, fixedSubnets: fixedSubnets(config) }, PROJECT);
  } catch (err) {
    if (err instanceof ConfigurationError) throw new UserError(err.message);
    throw err;
  }
  const ours = await checkOtherStacks(config.dockerHost, stack, state);
  const ports = await portProblems(config, stack, new Set(ours.flatMap((container) => container.ports)));
  if (ports.length > 0) throw new UserError(`host ports the labs publish are taken:\n  - ${ports.join("\n  - ")}`);
}
