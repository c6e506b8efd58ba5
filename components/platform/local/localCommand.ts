/**
 * A shell command run on this machine (the local target's Docker host) once
 * per set of inputs: the latency probe, the socket's group, directories, pids
 * limits. A dynamic provider of ours rather than @pulumi/command's
 * local.Command, so a stack needs no command plugin (remote hosts' commands
 * are ours too: remote/remoteCommand.ts).
 *
 * Any change of an input runs it again (a replacement). Pulumi serializes
 * the provider's functions into the plugin process that runs them, so they
 * reach Node's modules through `require` at run time.
 */
import * as pulumi from "@pulumi/pulumi";

export interface LocalCommandInputs {
  /** Run with /bin/sh -c. */
  create: string;
  /** Given to the command on standard input (how secrets reach it). */
  stdin?: string;
  /** Added to the environment Pulumi runs with (DOCKER_HOST, say). */
  environment?: Record<string, string>;
  /** Inputs whose change runs the command again; otherwise unused. */
  triggers?: unknown[];
}

/** What the state keeps: the inputs but stdin, of which only a hash (it may carry a secret), and the output. */
interface Outputs extends Omit<LocalCommandInputs, "stdin"> {
  stdinHash: string;
  stdout: string;
  stderr: string;
}

function hash(text: string | undefined): string {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(text ?? "").digest("hex");
}

/** How much of the command's standard error a failure shows. */
const ERROR_TAIL_CHARS = 4000;

function run(inputs: LocalCommandInputs): Promise<{ stdout: string; stderr: string }> {
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", inputs.create], { env: { ...process.env, ...inputs.environment }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`the command exited with ${code ?? signal}: ${stderr.slice(-ERROR_TAIL_CHARS).trim()}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(inputs.stdin ?? "");
  });
}

const provider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: Outputs, news: LocalCommandInputs) {
    const keys = ["create", "environment", "triggers"] as const;
    const replaces: string[] = keys.filter((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
    if (olds.stdinHash !== hash(news.stdin)) replaces.push("stdin");
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs: LocalCommandInputs) {
    const { randomUUID } = require("node:crypto") as typeof import("node:crypto");
    const output = await run(inputs);
    const { stdin, ...kept } = inputs;
    const outs: Outputs = { ...kept, stdinHash: hash(stdin), ...output };
    return { id: randomUUID(), outs };
  },
};

/** A command run on this machine; `stdout` is what it printed. */
export class LocalCommand extends pulumi.dynamic.Resource {
  declare readonly stdout: pulumi.Output<string>;
  declare readonly stderr: pulumi.Output<string>;

  constructor(name: string, args: { [K in keyof LocalCommandInputs]: pulumi.Input<LocalCommandInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, stdinHash: undefined, stdout: undefined, stderr: undefined }, opts, "container-labs", "LocalCommand");
  }
}
