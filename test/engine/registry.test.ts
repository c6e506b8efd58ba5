/**
 * The stand-in registry (scripts/standins/registry, started by the kit's
 * startRegistry) as the ssh target uses a registry: images built on this
 * machine's engine and pushed with a push account, then pulled by digest with
 * a pull account, over TLS that every client verifies against the CA of the
 * run. The registry sits on the private engine's default bridge, at the
 * address the stand-in machine reaches it by.
 *
 * In the unit project: it needs neither Pulumi nor the ci stack. Needs root
 * (it writes /etc/docker/certs.d), the engine with its stand-ins and fixtures
 * (`scripts/test-engine.sh start && scripts/standins/build.sh`) and the buildx
 * plugin of the Pulumi toolchain (`scripts/pulumi-toolchain.sh`).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ENGINE_CERTS_DIR,
  cacheDir,
  docker,
  inspectImage,
  registryRequest,
  requireEngine,
  requireFixture,
  requireStandins,
  startRegistry,
  type Engine,
  type Registry,
  type RegistryAccount,
  type Standin,
} from "@container-labs/test-kit";

const MINUTE = 60_000;
const NAME = `cl-registry-test-${process.pid}`;
/** The buildx plugin scripts/pulumi-toolchain.sh builds (the one the docker-build provider drives). */
const BUILDX = join(cacheDir(), "pulumi-toolchain", "docker-config", "cli-plugins", "docker-buildx");
const MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

let engine: Engine;
let standins: Record<Standin, string>;
let registry: Registry;
let dir: string;
const seconds: Record<string, number> = {};
/** Image references this file added to the engine, removed afterwards. */
const references: string[] = [];
/** The digest `docker buildx build --push` reported, for the pull that follows it. */
let builtDigest: string;

/** A Docker client configuration directory of its own (DOCKER_CONFIG): empty but for the buildx plugin. */
const configs = { push: "", pull: "", anonymous: "" };
/** The engine as a client with the given configuration directory sees it. */
const as = (who: keyof typeof configs): Engine => ({ ...engine, env: { ...engine.env, DOCKER_CONFIG: configs[who] } });

/** `docker ...` through `as(who)`, resolving whatever its exit. */
function dockerAs(who: keyof typeof configs, args: string[], input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/docker", args, { env: as(who).env, timeout: 10 * MINUTE });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output: output.trim() }));
    child.stdin.end(input ?? "");
  });
}

const login = (who: "push" | "pull", account: RegistryAccount) =>
  dockerAs(who, ["login", "--username", account.username, "--password-stdin", registry.address], account.password);

const repository = (name: string) => `${registry.address}/container-labs-test/${name}`;

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  seconds[what] = (Date.now() - started) / 1000;
  return result;
}

/** The digest of `reference`'s repository in `repo@sha256:...` form, from the engine's RepoDigests. */
async function repoDigest(reference: string, repo: string): Promise<string | undefined> {
  const digests = (await docker(engine, ["image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", reference])).split("\n");
  return digests.find((digest) => digest.startsWith(`${repo}@`));
}

beforeAll(async () => {
  engine = await requireEngine();
  standins = await requireStandins(engine);
  if (!existsSync(BUILDX)) throw new Error(`no buildx plugin at ${BUILDX}: run scripts/pulumi-toolchain.sh first`);
  dir = mkdtempSync(join(tmpdir(), "cl-registry-test-"));
  for (const who of Object.keys(configs) as Array<keyof typeof configs>) {
    configs[who] = join(dir, `docker-config-${who}`);
    mkdirSync(join(configs[who], "cli-plugins"), { recursive: true });
    symlinkSync(BUILDX, join(configs[who], "cli-plugins", "docker-buildx"));
  }
  registry = await timed("registry start", () => startRegistry(engine, { name: NAME }));
}, 2 * MINUTE);

afterAll(async () => {
  for (const reference of references) await docker(engine, ["image", "rm", reference]).catch(() => undefined);
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.info(`stand-in registry, seconds: ${JSON.stringify(seconds)}`);
}, 2 * MINUTE);

describe("the registry stand-in", () => {
  it("runs Debian's distribution 2.8 as a non-root user, from an image that holds no certificate and no logins", async () => {
    const image = await requireFixture(engine, "registry");
    const config = (await inspectImage(engine, image)).Config;
    expect({ user: config.User, entrypoint: config.Entrypoint, cmd: config.Cmd }).toEqual({
      user: "docker-registry",
      entrypoint: ["/usr/bin/docker-registry"],
      cmd: ["serve", "/etc/docker/registry/config.yml"],
    });
    expect(await docker(engine, ["exec", NAME, "sh", "-c", "id -un; docker-registry --version"])).toMatch(/^docker-registry\n.* v?2\.8\.\d/);
    expect(await docker(engine, ["run", "--rm", "--entrypoint", "ls", image, "-A", "/certs", "/auth"])).toBe("/auth:\n\n/certs:");
  });

  it("is at the address of its container on the engine's default bridge, port 5000", async () => {
    const ip = await docker(engine, ["inspect", "--format", "{{.NetworkSettings.Networks.bridge.IPAddress}}", `${NAME}-net`]);
    expect(registry.address).toBe(`${ip}:5000`);
  });

  it("refuses a client without credentials, or with a wrong password, with 401 and a basic challenge; answers each account", async () => {
    const anonymous = await registryRequest(registry, "/v2/");
    expect({ status: anonymous.status, challenge: anonymous.headers["www-authenticate"] }).toEqual({ status: 401, challenge: 'Basic realm="container-labs-standin-registry"' });
    expect((await registryRequest(registry, "/v2/", { account: { ...registry.push, password: `${registry.push.password}x` } })).status).toBe(401);
    expect((await registryRequest(registry, "/v2/", { account: registry.push })).status).toBe(200);
    expect((await registryRequest(registry, "/v2/", { account: registry.pull })).status).toBe(200);
    expect(registry.push.password).not.toBe(registry.pull.password);
  });

  it("serves a certificate that only the run's CA verifies: curl and Node with the system store alone refuse it", async () => {
    const curl = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", ...args, `https://${registry.address}/v2/`]);
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.on("close", (code) => resolve({ code, stdout }));
      });
    writeFileSync(join(dir, "ca.pem"), registry.caPem);
    expect(await curl(["--cacert", join(dir, "ca.pem")])).toEqual({ code: 0, stdout: "401" });
    // curl's 60: the peer's certificate cannot be authenticated with the known CA certificates.
    expect((await curl([])).code).toBe(60);
    await expect(registryRequest(registry, "/v2/", { ca: null })).rejects.toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });
});

describe("the private engine as the build machine", () => {
  it("trusts the registry through /etc/docker/certs.d/<address>/ca.crt, read at each login without a restart", async () => {
    const trustDir = join(ENGINE_CERTS_DIR, registry.address);
    expect(readFileSync(join(trustDir, "ca.crt"), "utf8")).toBe(registry.caPem);
    renameSync(trustDir, `${trustDir}.aside`);
    try {
      expect(await login("push", registry.push)).toMatchObject({ code: 1, output: expect.stringContaining("x509: certificate signed by unknown authority") });
    } finally {
      renameSync(`${trustDir}.aside`, trustDir);
    }
    expect(await login("push", registry.push)).toMatchObject({ code: 0, output: expect.stringContaining("Login Succeeded") });
    // The client keeps only the credential: the daemon checks the login, and the CA is the daemon's.
    expect(readdirSync(configs.push).sort()).toEqual(["cli-plugins", "config.json"]);
    expect(Object.keys((JSON.parse(readFileSync(join(configs.push, "config.json"), "utf8")) as { auths: object }).auths)).toEqual([registry.address]);
  });

  it("pushes the node stand-in with the push account, and the registry serves it under the digest the engine reports", async () => {
    const repo = repository("node");
    references.push(`${repo}:test`);
    await docker(engine, ["tag", standins.node, `${repo}:test`]);
    expect(await dockerAs("anonymous", ["push", `${repo}:test`])).toMatchObject({ code: 1, output: expect.stringMatching(/no basic auth credentials|unauthorized/) });
    const pushed = await timed("push node stand-in", () => dockerAs("push", ["push", `${repo}:test`]));
    expect(pushed.code).toBe(0);
    const digest = (await repoDigest(`${repo}:test`, repo))!;
    references.push(digest);
    expect(pushed.output).toContain(`digest: ${digest.split("@")[1]}`);
    const manifest = await registryRequest(registry, `/v2/container-labs-test/node/manifests/${digest.split("@")[1]}`, { account: registry.pull, headers: { accept: MANIFEST_TYPES } });
    expect({ status: manifest.status, digest: manifest.headers["docker-content-digest"] }).toEqual({ status: 200, digest: digest.split("@")[1] });
  }, 5 * MINUTE);

  it("serves every layer of it to the pull account, byte for byte as its digest says", async () => {
    const repo = "container-labs-test/node";
    const tag = await registryRequest(registry, `/v2/${repo}/manifests/test`, { account: registry.pull, headers: { accept: MANIFEST_TYPES } });
    const { config, layers } = JSON.parse(tag.body) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    let bytes = 0;
    await timed("pull node stand-in's blobs", async () => {
      for (const blob of [config, ...layers]) {
        const answer = await registryRequest(registry, `/v2/${repo}/blobs/${blob.digest}`, { account: registry.pull });
        expect({ status: answer.status, digest: `sha256:${createHash("sha256").update(answer.bytes).digest("hex")}` }).toEqual({ status: 200, digest: blob.digest });
        bytes += answer.bytes.length;
      }
    });
    seconds["node stand-in compressed MB"] = Math.round(bytes / 1e5) / 10;
  }, 5 * MINUTE);

  it("builds and pushes with `docker buildx build --push` through the engine's default builder, with the push account", async () => {
    const context = join(dir, "context");
    mkdirSync(context);
    writeFileSync(join(context, "Dockerfile"), "ARG BASE\nFROM ${BASE}\nCOPY built.txt /built.txt\n");
    writeFileSync(join(context, "built.txt"), `built by ${NAME}\n`);
    const inspected = await dockerAs("push", ["buildx", "inspect", "default"]);
    expect(inspected.output).toMatch(/^Driver:\s+docker$/m);
    const repo = repository("built");
    references.push(`${repo}:1`);
    const built = await timed("buildx build --push", () =>
      dockerAs("push", ["buildx", "build", "--builder", "default", "--push", "--build-arg", `BASE=${standins.node}`, "--tag", `${repo}:1`, "--metadata-file", join(dir, "metadata.json"), context]),
    );
    expect(built).toMatchObject({ code: 0, output: expect.stringContaining(`pushing ${repo}:1 with docker`) });
    const digest = (JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8")) as Record<string, string>)["containerimage.digest"];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = await registryRequest(registry, `/v2/container-labs-test/built/manifests/${digest}`, { account: registry.pull, method: "HEAD", headers: { accept: MANIFEST_TYPES } });
    expect(manifest.status).toBe(200);
    builtDigest = digest;
  }, 5 * MINUTE);

  it("pulls that image by digest with the pull account, and a client without credentials is refused", async () => {
    const reference = `${repository("built")}@${builtDigest}`;
    references.push(reference);
    // Gone from the engine, so that the pull below fetches it.
    await docker(engine, ["image", "rm", `${repository("built")}:1`]);
    expect((await dockerAs("pull", ["image", "inspect", reference])).code).toBe(1);
    expect(await dockerAs("anonymous", ["pull", reference])).toMatchObject({ code: 1, output: expect.stringMatching(/no basic auth credentials|unauthorized/) });
    expect(await login("pull", registry.pull)).toMatchObject({ code: 0 });
    const pulled = await timed("pull built image", () => dockerAs("pull", ["pull", reference]));
    expect(pulled).toMatchObject({ code: 0, output: expect.stringContaining(`Status: Downloaded newer image for ${reference}`) });
    expect(await docker(engine, ["run", "--rm", reference, "cat", "/built.txt"])).toBe(`built by ${NAME}`);
  }, 5 * MINUTE);

  it("builds FROM an image of the registry only while the engine holds it: its BuildKit cannot pull from a registry trusted after dockerd started", async () => {
    const reference = `${repository("built")}@${builtDigest}`;
    const context = join(dir, "context-from");
    mkdirSync(context);
    writeFileSync(join(context, "Dockerfile"), `FROM ${reference}\nRUN cat /built.txt\n`);
    const build = (tag: string) => dockerAs("push", ["buildx", "build", "--builder", "default", "--progress", "plain", "--no-cache", "--tag", `${repository("from")}:${tag}`, context]);
    references.push(`${repository("from")}:held`);
    // As the program's WORKSPACE_IMAGE: pushed from this engine, so BuildKit finds the digest in its store.
    expect(await build("held")).toMatchObject({ code: 0, output: expect.stringContaining(`built by ${NAME}`) });
    await docker(engine, ["image", "rm", reference]);
    // dockerd 20.10 hands BuildKit the list of certs.d entries it found at its start (daemon.RegistryHosts):
    // one written since, as startRegistry's, serves logins, pushes and pulls, not a build's pull.
    expect(await build("pulled")).toMatchObject({ code: 1, output: expect.stringContaining("x509: certificate signed by unknown authority") });
  }, 5 * MINUTE);

  it("lets the pull account push too: distribution 2.8's htpasswd has no read-only accounts", async () => {
    const upload = await registryRequest(registry, "/v2/container-labs-test/pull-can-push/blobs/uploads/", { account: registry.pull, method: "POST" });
    expect(upload.status).toBe(202);
  });
});

describe("stop()", () => {
  it("removes the registry, its network holder, its storage and the engine's trust in it", async () => {
    const volumes = (await docker(engine, ["inspect", "--format", "{{range .Mounts}}{{if eq .Type \"volume\"}}{{println .Name}}{{end}}{{end}}", NAME])).split("\n").filter(Boolean);
    expect(volumes).toHaveLength(1);
    await registry.stop();
    expect(existsSync(join(ENGINE_CERTS_DIR, registry.address))).toBe(false);
    expect(await docker(engine, ["ps", "--all", "--quiet", "--filter", `name=^${NAME}`])).toBe("");
    expect(await docker(engine, ["volume", "ls", "--quiet", "--filter", `name=${volumes[0]}`])).toBe("");
  });
});
