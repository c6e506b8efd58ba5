/**
 * What the stacks deployed on stand-in machines share (sshStack.ts, the
 * ci-ssh stack; swarmStack.ts, the ci-swarm stack): the timing of their
 * steps, the SSH keys made for a run, a machine booted as a user's machine
 * is before `up`, and the stack file written with its secrets set as a user
 * sets them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { labs, labsOk, REPO_ROOT, startMachine, type CiStack, type Machine, type MachineOptions } from "@container-labs/test-kit";

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
