/**
 * The stand-in registry (scripts/standins/registry): Debian's docker-registry
 * (distribution 2.8) on a network of the private engine (its default bridge
 * unless told), where the stand-in machine reaches it, at `<its IP>:5000`.
 * Each start makes its own trust and logins: a CA and a server certificate
 * for that IP (ECDSA P-256, with openssl), and two htpasswd accounts with
 * random passwords (bcrypt, with `htpasswd -B` of apache2-utils), mounted
 * into the container.
 *
 * The private engine trusts it as any dockerd trusts a registry with a
 * private CA: the CA is written to /etc/docker/certs.d/<address>/ca.crt for
 * as long as the registry runs. dockerd reads that directory at each login,
 * push and pull, so no restart is needed; buildx's "docker" driver pushes
 * through the same path (the engine's image push). The engine's built-in
 * BuildKit is another matter: dockerd 20.10 gives it the certs.d entries it
 * found at its start, so a build `FROM <address>/...` works only while the
 * engine holds that image (it pulls nothing), and a registry cache import
 * would fail the same way (test/engine/registry.test.ts). The Docker
 * client's own configuration needs no CA: the daemon checks logins.
 *
 * Distribution 2.8's htpasswd gives every account every right: the "pull"
 * account can push too. Only a token server (or a proxy) could make it
 * read-only; the tests do not pretend it is.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { docker, requireFixture, type Engine } from "./engine";
import { waitFor } from "./wait";

const execFileAsync = promisify(execFile);

/** The registry's port in its container, as registry:2's. */
export const REGISTRY_PORT = 5000;

/** Where dockerd looks for a registry's CA: `<ENGINE_CERTS_DIR>/<host:port>/ca.crt`. */
export const ENGINE_CERTS_DIR = "/etc/docker/certs.d";

export interface RegistryAccount {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** The registry container's name; its network holder is `<name>-net`. */
  name: string;
  /** The image to run; the registry fixture (fixtures.json) by default. */
  image?: string;
  /** The engine's network it takes its address on (where its clients are); the default bridge unless given. */
  network?: string;
}

export interface Registry {
  /** `<IP>:5000`: the registry's host in every image reference, as the private engine and the stand-in machine reach it. */
  address: string;
  /** The CA that issued its certificate, PEM: what a client (a machine's dockerd) must trust. */
  caPem: string;
  /** The account the build machine pushes with. */
  push: RegistryAccount;
  /** The account a Docker host pulls with (distribution 2.8 lets it push too). */
  pull: RegistryAccount;
  /** Removes the registry, its containers, its storage, its files and the engine's trust in it. */
  stop(): Promise<void>;
}

export interface RegistryAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (UTF-8), and as bytes. */
  body: string;
  bytes: Buffer;
}

/**
 * One HTTPS request to the registry's API, trusting `ca` only (the registry's
 * CA unless given), with basic credentials when `account` is given. Rejects
 * when TLS fails (e.g. `ca: null`: the system store only).
 */
export function registryRequest(
  registry: Pick<Registry, "address" | "caPem">,
  path: string,
  options: { account?: RegistryAccount; method?: string; headers?: Record<string, string>; ca?: string | null } = {},
): Promise<RegistryAnswer> {
  const [host, port] = registry.address.split(":");
  const headers: Record<string, string> = { ...options.headers };
  if (options.account) headers.authorization = `Basic ${Buffer.from(`${options.account.username}:${options.account.password}`).toString("base64")}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), path, method: options.method ?? "GET", headers, ca: options.ca === undefined ? registry.caPem : options.ca ?? undefined, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from https://${registry.address}${path} within 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** A CA and a certificate for `ip` issued by it (ECDSA P-256, one day), as PEM files in `dir`. */
async function makeCertificates(dir: string, ip: string, name: string): Promise<void> {
  const script = `
    set -euo pipefail
    key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }
    key ca.key
    openssl req -x509 -new -key ca.key -subj "/O=container-labs/CN=$NAME stand-in registry CA" -days 1 -out ca.crt \\
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    key certs/domain.key
    openssl req -new -key certs/domain.key -subj "/O=container-labs/CN=$IP" -out domain.csr
    printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\nextendedKeyUsage=serverAuth\\nsubjectAltName=IP:%s\\n' "$IP" > domain.ext
    openssl x509 -req -in domain.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile domain.ext -out certs/domain.crt 2>/dev/null
    rm ca.key domain.csr domain.ext ca.srl`;
  await execFileAsync("bash", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH ?? "", IP: ip, NAME: name } });
}

/** An htpasswd line for `account`, bcrypt as distribution requires; the password goes through stdin. */
async function htpasswdLine(account: RegistryAccount): Promise<string> {
  const child = execFileAsync("htpasswd", ["-n", "-i", "-B", account.username]);
  child.child.stdin?.end(account.password);
  const { stdout } = await child.catch((err: Error) => {
    throw new Error(`htpasswd -niB failed (Debian's apache2-utils: scripts/install-system-deps.sh): ${err.message}`);
  });
  return stdout.trim();
}

const account = (username: string): RegistryAccount => ({ username, password: randomBytes(18).toString("base64url") });

/**
 * Starts a registry, trusted by the private engine, and waits until `/v2/`
 * refuses a client without credentials (401) and answers each account (200).
 * Its IP is known only once a container runs, and its certificate must name
 * it: so a holder container (the same image, sleeping) takes an address on
 * that network first, and the registry joins that holder's network
 * namespace, started with a certificate for it.
 */
export async function startRegistry(engine: Engine, options: RegistryOptions): Promise<Registry> {
  const image = options.image ?? (await requireFixture(engine, "registry"));
  const holder = `${options.name}-net`;
  // Only root reads the run's files here; the registry's user reads the two subdirectories mounted into it.
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  let trustDir: string | undefined;
  const stop = async () => {
    await docker(engine, ["rm", "--force", "--volumes", options.name]).catch(() => undefined);
    await docker(engine, ["rm", "--force", "--volumes", holder]).catch(() => undefined);
    if (trustDir) rmSync(trustDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const network = options.network ?? "bridge";
    await docker(engine, ["run", "--detach", "--name", holder, "--network", network, "--entrypoint", "sleep", image, "infinity"]);
    const ip = await docker(engine, ["inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, holder]);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`${holder} has no address on the network ${network} (inspect said "${ip}")`);
    const address = `${ip}:${REGISTRY_PORT}`;

    for (const sub of ["certs", "auth"]) mkdirSync(join(dir, sub), { mode: 0o755 });
    await makeCertificates(dir, ip, options.name);
    const push = account("push");
    const pull = account("pull");
    writeFileSync(join(dir, "auth", "htpasswd"), `${await htpasswdLine(push)}\n${await htpasswdLine(pull)}\n`);
    for (const file of ["certs/domain.crt", "certs/domain.key", "auth/htpasswd"]) chmodSync(join(dir, file), 0o644);
    const caPem = readFileSync(join(dir, "ca.crt"), "utf8");

    trustDir = join(ENGINE_CERTS_DIR, address);
    mkdirSync(trustDir, { recursive: true });
    writeFileSync(join(trustDir, "ca.crt"), caPem);

    await docker(engine, [
      "run", "--detach", "--name", options.name,
      "--network", `container:${holder}`,
      "--volume", `${join(dir, "certs")}:/certs:ro`,
      "--volume", `${join(dir, "auth")}:/auth:ro`,
      image,
    ]);
    const registry: Registry = { address, caPem, push, pull, stop };
    let exited = false;
    await waitFor(`the registry ${options.name} at https://${address}/v2/`, async () => {
      exited = (await docker(engine, ["inspect", "--format", "{{.State.Running}}", options.name])) !== "true";
      if (exited) return true;
      if ((await registryRequest(registry, "/v2/")).status !== 401) return false;
      for (const who of [push, pull]) if ((await registryRequest(registry, "/v2/", { account: who })).status !== 200) return false;
      return true;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    if (exited) {
      // The registry logs to stderr.
      const { stdout, stderr } = await execFileAsync("/usr/bin/docker", ["logs", "--tail", "20", options.name], { env: engine.env }).catch(() => ({ stdout: "", stderr: "" }));
      throw new Error(`the registry ${options.name} exited at start: ${stdout}${stderr}`);
    }
    return registry;
  } catch (err) {
    await stop();
    throw err;
  }
}
