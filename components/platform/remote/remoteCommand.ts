/**
 * A shell command run on a remote host over SSH, once per set of inputs: the
 * ssh target's bootstrap, the readiness gate, Docker's TLS installer, the
 * latency probe, directories, pids limits. A dynamic provider of ours (with
 * the ssh2 library) rather than @pulumi/command's remote.Command, whose
 * plugin cannot be had where Pulumi's downloads are blocked (a classroom
 * behind a proxy, the tests' machines); so every remote target runs for real
 * in the tests, as the local target's LocalCommand does.
 *
 * The host key is pinned: the session is refused, before any credential or
 * command is sent, unless the server presents exactly the key given. The
 * login key and stdin are used and forgotten: the state keeps a hash of
 * stdin only, and never the key. Any change of `create`, `stdin` or
 * `triggers` runs it again (a replacement).
 *
 * Pulumi serializes the provider's functions into the plugin process that
 * runs them, so they reach Node's modules through `require` at run time.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SshConnectionArgs, SshEndpoint } from "../host";

export type { SshConnection, SshConnectionArgs, SshEndpoint } from "../host";

interface RemoteCommandInputs {
  connection: SshEndpoint;
  /** A secret input of its own, so that it is one in the state whatever else is shown. */
  privateKey: string;
  /** Run by the login user's shell. */
  create: string;
  /** Given to the command on standard input (how secrets reach it). */
  stdin?: string;
  /** Inputs whose change runs the command again; otherwise unused. */
  triggers?: unknown[];
}

/** One command over SSH: where, with which key, what, and its standard input. */
export type SshCommand = Pick<RemoteCommandInputs, "connection" | "privateKey" | "create" | "stdin">;

/** What the state keeps: where it ran and what it printed; of stdin a hash, of the login key nothing. */
interface Outputs {
  connection: SshEndpoint;
  create: string;
  triggers?: unknown[];
  stdinHash: string;
  stdout: string;
  stderr: string;
}

/** How much of the command's standard error a failure shows. */
const ERROR_TAIL_CHARS = 4000;
/** Errors of a host that is not (yet) listening: dialled again until dialTimeoutSeconds. */
const NOT_YET_LISTENING = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|Timed out while waiting for handshake|Connection lost before handshake/;

function hash(text: string | undefined): string {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(text ?? "").digest("hex");
}

/** OpenSSH's SHA256 fingerprint of a key blob. */
function fingerprint(blob: Buffer): string {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * An SSH session to `connection` as its user, refused (before any credential
 * is sent) unless the server presents exactly the pinned host key. Also used
 * by the DynamoDB Local tables of a remote host, which are reached through
 * the session (localDynamoTable.ts).
 */
export function sshSession(connection: SshEndpoint, privateKey: string): Promise<import("ssh2").Client> {
  const { Client } = require("ssh2") as typeof import("ssh2");
  const [keyType, keyData] = connection.hostKey.trim().split(/\s+/);
  const pinned = Buffer.from(keyData ?? "", "base64");
  // Offer only the pinned key's algorithm, so a server with several keys presents that one.
  const serverHostKey = keyType === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [keyType];
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: Buffer | undefined;
    client
      .on("ready", () => resolve(client))
      .on("error", (error: Error) => {
        if (presented && !presented.equals(pinned)) {
          reject(new Error(`${connection.host}:${connection.port} presented the SSH host key ${fingerprint(presented)}, not the pinned ${fingerprint(pinned)}: refused, nothing was sent. If the machine was reinstalled, check its new key on its console and pin that one (README, "The ssh target").`));
        } else {
          reject(error);
        }
      })
      .connect({
        host: connection.host,
        port: connection.port,
        username: connection.user,
        privateKey,
        algorithms: { serverHostKey: serverHostKey as never },
        hostVerifier: (key: Buffer) => {
          presented = key;
          return key.equals(pinned);
        },
        readyTimeout: 20_000,
      });
  });
}

/** One session: connect with the pinned host key, run the command, resolve to what it printed. */
async function runOnce(inputs: SshCommand): Promise<{ stdout: string; stderr: string }> {
  const client = await sshSession(inputs.connection, inputs.privateKey);
  return new Promise((resolve, reject) => {
    client.exec(inputs.create, (error, stream) => {
      if (error) {
        client.end();
        reject(error);
        return;
      }
      let stdout = "";
      let stderr = "";
      stream.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      stream.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      stream.on("close", (code: number | null, signal?: string) => {
        client.end();
        if (code === 0) resolve({ stdout, stderr });
        else reject(new Error(`the command exited with ${code ?? signal} on ${inputs.connection.host}: ${stderr.slice(-ERROR_TAIL_CHARS).trim()}`));
      });
      stream.end(inputs.stdin ?? "");
    });
  });
}

/**
 * runOnce, dialling again while the host is not listening yet, up to
 * dialTimeoutSeconds. Also what the swarm's nodes run their steps with
 * (swarmNode.ts).
 */
export async function runOverSsh(inputs: SshCommand): Promise<{ stdout: string; stderr: string }> {
  const deadline = Date.now() + (inputs.connection.dialTimeoutSeconds ?? 60) * 1000;
  for (;;) {
    try {
      return await runOnce(inputs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!NOT_YET_LISTENING.test(message) || Date.now() > deadline) {
        throw new Error(`ssh ${inputs.connection.user}@${inputs.connection.host}:${inputs.connection.port}: ${message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

const provider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: Outputs, news: RemoteCommandInputs) {
    const replaces: string[] = [];
    if (olds.create !== news.create) replaces.push("create");
    if (JSON.stringify(olds.triggers ?? null) !== JSON.stringify(news.triggers ?? null)) replaces.push("triggers");
    if (olds.stdinHash !== hash(news.stdin)) replaces.push("stdin");
    // Where it runs: another host or user is another command; a new login key alone is not.
    const where = (c: Partial<SshEndpoint>) => JSON.stringify([c.host, c.port, c.user, c.hostKey]);
    if (where(olds.connection) !== where(news.connection)) replaces.push("connection");
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs: RemoteCommandInputs) {
    const { randomUUID } = require("node:crypto") as typeof import("node:crypto");
    const output = await runOverSsh(inputs);
    const outs: Outputs = { connection: inputs.connection, create: inputs.create, stdinHash: hash(inputs.stdin), ...output };
    // The state is a protobuf Struct, which has no undefined.
    if (inputs.triggers !== undefined) outs.triggers = inputs.triggers;
    return { id: randomUUID(), outs };
  },
};

export interface RemoteCommandArgs {
  connection: SshConnectionArgs;
  create: pulumi.Input<string>;
  stdin?: pulumi.Input<string>;
  triggers?: pulumi.Input<unknown>[];
}

/** A command run on a remote host over SSH; `stdout` is what it printed. */
export class RemoteCommand extends pulumi.dynamic.Resource {
  declare readonly stdout: pulumi.Output<string>;
  declare readonly stderr: pulumi.Output<string>;

  constructor(name: string, args: RemoteCommandArgs, opts?: pulumi.CustomResourceOptions) {
    const { privateKey, ...connection } = args.connection;
    const inputs = { ...args, connection, privateKey: pulumi.secret(privateKey), stdinHash: undefined, stdout: undefined, stderr: undefined };
    super(provider, name, inputs, opts, "container-labs", "RemoteCommand");
  }
}
