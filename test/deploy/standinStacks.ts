/**
 * What the stacks deployed on stand-in machines share (sshStack.ts, the
 * ci-ssh stack; swarmStack.ts, the ci-swarm stack): the timing of their
 * steps, the SSH keys made for a run, a machine booted as a user's machine
 * is before `up`, the stand-ins pushed to the stand-in registry, the labs'
 * settings that take every image through it, and the stack file written
 * with its secrets set as a user sets them.
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { labs, labsOk, localCaBundle, REPO_ROOT, startMachine, type CiStack, type Machine, type MachineOptions, type Registry } from "@container-labs/test-kit";
import { LAB_NAMES } from "../../components/labs";

const execFileAsync = promisify(execFile);

/** Every lab: what the stacks on stand-in machines deploy, as a user's machine runs them. */
export const EVERY_LAB: readonly string[] = LAB_NAMES;
/** The namespace the program pushes the labs' images under in the stand-in registry. */
const NAMESPACE = "ci";

/** Runs `work`, recording its seconds under `step`. */
export const timed = async <T>(seconds: Record<string, number>, step: string, work: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await work();
  seconds[step] = (Date.now() - started) / 1000;
  return result;
};

export interface SshKeyPair {
  privateKeyOpenssh: string;
  publicKeyOpenssh: string;
}

/** An ED25519 key pair made with ssh-keygen in `dir`, as `<name>` and `<name>.pub`: the two OpenSSH encodings. */
export function sshKey(dir: string, name: string): SshKeyPair {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
  return { privateKeyOpenssh: readFileSync(join(dir, name), "utf8"), publicKeyOpenssh: readFileSync(join(dir, `${name}.pub`), "utf8").trim() };
}

/** Boots a stand-in machine and waits until it is up as a user's machine is before `up`: cloud-init done (exit 2 is "done, with recoverable errors"). */
export async function bootMachine(stack: CiStack, options: MachineOptions): Promise<Machine> {
  const started = await startMachine(stack.engine, options);
  await started.booted();
  await started.exec(["sh", "-c", "cloud-init status --wait >/dev/null; s=$?; [ $s -eq 0 ] || [ $s -eq 2 ]"]);
  return started;
}

/**
 * A fresh stack `name`: its earlier state removed, then `stack init`, its
 * file Pulumi.<name>.yaml (git-ignored) written with `config` and the salt
 * init gave it, and each secret set through the CLI from standard input, as
 * the README tells a user.
 */
export async function initStack(stack: CiStack, name: string, config: Record<string, unknown>, secrets: Record<string, string>): Promise<void> {
  const file = join(REPO_ROOT, `Pulumi.${name}.yaml`);
  await labs(stack, ["pulumi", "stack", "rm", "--yes", "--force", "--stack", name], { quiet: true });
  rmSync(file, { force: true });
  await labsOk(stack, ["pulumi", "stack", "init", name], { quiet: true });
  // `stack init` wrote the file with its encryption salt: keep that, add the settings.
  const salt = /encryptionsalt: (.*)/.exec(readFileSync(file, "utf8"))?.[1];
  writeFileSync(file, `# Written by the tests (test/deploy/standinStacks.ts).\n${stringify({ ...(salt ? { encryptionsalt: salt } : {}), config })}`);
  for (const [key, value] of Object.entries(secrets)) {
    await labsOk(stack, ["pulumi", "config", "set", "--secret", key, "--stack", name], { quiet: true, input: value });
  }
}

/**
 * The external images the machine runs as they are: the labs' servers and
 * kleeweb's job image (klee), which its workers start through the machine's
 * engine. The others are build bases, which this machine's engine already
 * holds and builds FROM by their digest references.
 */
const RUN_AS_IS = ["redis", "postgres", "dynamodb-local", "klee"] as const;

/**
 * The stand-ins with those the machine runs pushed to the registry with the
 * push account: references pinned by digest. They share their Debian layers:
 * the first push uploads them, then the others go at once, each uploading
 * only its own layers (the engine compresses them side by side; KLEE's, the
 * largest, sets the pace).
 */
export async function pushStandins(stack: CiStack, registry: Registry, config: string): Promise<Record<string, string>> {
  const env = { ...stack.engine.env, DOCKER_CONFIG: config };
  execFileSync("/usr/bin/docker", ["login", "--username", registry.push.username, "--password-stdin", registry.address], { env, input: registry.push.password });
  const push = async (name: (typeof RUN_AS_IS)[number]): Promise<[string, string]> => {
    const target = `${registry.address}/standins/${name}:ci`;
    execFileSync("/usr/bin/docker", ["tag", stack.standins[name], target], { env });
    const pushed = (await execFileAsync("/usr/bin/docker", ["push", target], { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })).stdout;
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
    if (!digest) throw new Error(`docker push ${target} printed no digest:\n${pushed}`);
    return [name, `${registry.address}/standins/${name}@${digest}`];
  };
  const [first, ...others] = RUN_AS_IS;
  const pushed = [await push(first), ...(await Promise.all(others.map(push)))];
  return { node: stack.standins.node, nginx: stack.standins.nginx, ...Object.fromEntries(pushed) };
}

/**
 * The settings that deploy every lab through the stand-in registry: built
 * images pushed there with the push account (trusting its CA, written into
 * `dir`), the external images taken from it by digest (`standins`), and the
 * course's seed data loaded.
 */
export function labsThroughRegistry(stack: CiStack, registry: Registry, standins: Record<string, string>, dir: string): Record<string, unknown> {
  const caFile = join(dir, "registry-ca.pem");
  writeFileSync(caFile, registry.caPem);
  const caBundle = localCaBundle();
  return {
    "container-labs:labs": [...EVERY_LAB],
    "container-labs:registryServer": registry.address,
    "container-labs:registryNamespace": NAMESPACE,
    "container-labs:registryUsername": registry.push.username,
    "container-labs:registryPullUsername": registry.pull.username,
    "container-labs:registryCaFile": caFile,
    "container-labs:localDockerHost": stack.engine.dockerHost,
    "container-labs:externalImages": Object.entries(standins).map(([name, ref]) => `${name}=${ref}`),
    "container-labs:cmpt756Seed": true,
    ...(caBundle ? { "container-labs:buildCaBundle": caBundle } : {}),
  };
}

/** The registry's tokens, as the stack's secrets. */
export const registrySecrets = (registry: Registry) => ({ registryToken: registry.push.password, registryPullToken: registry.pull.password });
