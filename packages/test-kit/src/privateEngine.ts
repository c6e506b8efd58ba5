/**
 * The tests' private Docker engine (scripts/test-engine.sh): Debian's dockerd
 * (docker.io 20.10) with its own socket, data root, exec root, pidfile, config
 * file, containerd namespaces and default bridge, all under the engine
 * directory of the project's cache, so it never touches an engine the machine
 * already runs.
 *
 * Its network, and why not Docker's own iptables rules: a dockerd with
 * --iptables removes and recreates the DOCKER chains at start, which would wipe
 * the rules of an engine already running here (and that engine would wipe ours
 * when it restarts). So this engine runs with --iptables=false on a bridge of
 * its own (ENGINE_BRIDGE, ENGINE_BRIDGE_CIDR) and adds only rules of its own, in
 * chains named CONTAINER-LABS-<engine id>: NAT and forwarding for its default
 * bridge, where builds' RUN steps reach npm and Debian; and forwarding between
 * containers of one bridge (veth to veth), which the host's FORWARD policy
 * drops when br_netfilter is loaded. Published ports go through docker-proxy.
 *
 * Run by Node directly (scripts/test-engine.sh): its imports name their .ts
 * files and are node: modules or files that import nothing else.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { promisify } from "node:util";
import { ipv4NetworkOf } from "../../../policy/lib/addresses.ts";
import { cacheDir } from "./cache.ts";
import { isAlive, waitFor } from "./wait.ts";

const execFileAsync = promisify(execFile);

/** The 20.10 client of docker.io (a newer client may sit earlier on PATH). */
const DOCKER = "/usr/bin/docker";
const DOCKERD = "/usr/sbin/dockerd";

/** Where the engine keeps everything, and the names it gives what it makes on the machine. */
export interface EngineLayout {
  dir: string;
  socket: string;
  pidfile: string;
  log: string;
  lockfile: string;
  /** A hash of `dir`: what is named per engine carries it, so engines of two caches never share anything. */
  id: string;
  bridge: string;
  bridgeCidr: string;
  /** The firewall chain, in the filter and the nat table. */
  chain: string;
  /**
   * Containerd's and libnetwork's sockets live under the exec root, and a unix
   * socket path is at most 108 bytes: the exec root (runtime state only, like
   * /var/run/docker) is a short directory in /tmp rather than one in the cache.
   */
  execRoot: string;
  startTimeoutSeconds: number;
}

export function engineLayout(env: NodeJS.ProcessEnv = process.env): EngineLayout {
  const dir = `${cacheDir(env)}/engine`;
  const id = createHash("sha256").update(dir).digest("hex").slice(0, 8);
  return {
    dir,
    socket: `${dir}/docker.sock`,
    pidfile: `${dir}/dockerd.pid`,
    log: `${dir}/dockerd.log`,
    lockfile: `${dir}/lock`,
    id,
    bridge: env.ENGINE_BRIDGE || `cle-${id}`,
    // One /24 of 10.250.0.0/16 per engine, chosen by the id's first byte.
    bridgeCidr: env.ENGINE_BRIDGE_CIDR || `10.250.${parseInt(id.slice(0, 2), 16)}.1/24`,
    chain: `CONTAINER-LABS-${id}`,
    execRoot: `/tmp/cl-engine-${id}`,
    startTimeoutSeconds: Number(env.ENGINE_START_TIMEOUT || 90),
  };
}

export const dockerHostOf = (layout: EngineLayout): string => `unix://${layout.socket}`;

/** The bridge's network: the range its CIDR (an address of the bridge and a prefix) lies in. */
export function bridgeNetwork(layout: EngineLayout): string {
  const network = ipv4NetworkOf(layout.bridgeCidr);
  if (!network) throw new Error(`ENGINE_BRIDGE_CIDR ${JSON.stringify(layout.bridgeCidr)} is not an IPv4 address with a prefix, such as 10.250.250.1/24`);
  return network;
}

/** A rule of the engine's own chain, or the jump into it from one of the machine's chains. */
export interface FirewallRule {
  table: "filter" | "nat";
  chain: string;
  rule: string[];
}

/**
 * The jumps from the machine's chains into the engine's, added once each, and
 * the rules of the engine's chain (flushed and written anew at each start).
 */
export function firewall(layout: EngineLayout, { bridgeNetfilter }: { bridgeNetfilter: boolean }): { jumps: FirewallRule[]; rules: FirewallRule[] } {
  const { chain, bridge } = layout;
  const network = bridgeNetwork(layout);
  return {
    // FORWARD's jump is appended after any rules of another engine, so its own decisions (isolation, icc=false) come first.
    jumps: [
      { table: "nat", chain: "POSTROUTING", rule: ["-j", chain] },
      { table: "filter", chain: "FORWARD", rule: ["-j", chain] },
    ],
    rules: [
      { table: "nat", chain, rule: ["-s", network, "!", "-o", bridge, "-j", "MASQUERADE"] },
      { table: "filter", chain, rule: ["-i", bridge, "-j", "ACCEPT"] },
      { table: "filter", chain, rule: ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"] },
      ...(bridgeNetfilter
        ? [{ table: "filter" as const, chain, rule: ["-m", "physdev", "--physdev-is-bridged", "--physdev-in", "veth+", "--physdev-out", "veth+", "-j", "ACCEPT"] }]
        : []),
    ],
  };
}

/** dockerd's arguments: everything of its own under the engine's directory and exec root. */
export function dockerdArgs(layout: EngineLayout): string[] {
  return [
    "--host", dockerHostOf(layout),
    "--data-root", `${layout.dir}/data`,
    "--exec-root", layout.execRoot,
    "--pidfile", layout.pidfile,
    "--config-file", `${layout.dir}/daemon.json`,
    "--containerd-namespace", "container-labs",
    "--containerd-plugins-namespace", "container-labs-plugins",
    "--bridge", layout.bridge,
    "--iptables=false",
    "--storage-driver", "overlay2",
  ];
}

const say = (message: string): void => void process.stderr.write(`test-engine: ${message}\n`);

/** Runs a program to its end; true when it exits 0. Its output is dropped unless `show`. */
function succeeds(program: string, args: string[], { show = false } = {}): boolean {
  return spawnSync(program, args, { stdio: show ? "inherit" : "ignore" }).status === 0;
}

function output(program: string, args: string[]): string {
  return spawnSync(program, args, { encoding: "utf8" }).stdout ?? "";
}

function must(program: string, args: string[]): void {
  if (!succeeds(program, args, { show: true })) throw new Error(`${program} ${args.join(" ")} failed`);
}

/** Whether the engine answers on its socket. */
export async function answers(layout: EngineLayout): Promise<boolean> {
  if (!existsSync(layout.socket)) return false;
  return execFileAsync(DOCKER, ["-H", dockerHostOf(layout), "info", "--format", "{{.ID}}"], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

/** The pid of the engine's dockerd, when its pidfile names a dockerd that is alive. */
export function runningPid(layout: EngineLayout): number | undefined {
  const text = existsSync(layout.pidfile) ? readFileSync(layout.pidfile, "utf8").trim() : "";
  const pid = Number(text);
  if (!text || !Number.isInteger(pid) || !isAlive(pid)) return undefined;
  const command = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, "utf8").trim() : "";
  return command === "dockerd" ? pid : undefined;
}

function tail(file: string, lines: number): string {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  return text.split("\n").slice(-lines - 1).join("\n");
}

function setupBridge(layout: EngineLayout): void {
  if (!succeeds("ip", ["link", "show", layout.bridge])) {
    const network = bridgeNetwork(layout);
    const route = output("ip", ["-4", "route", "show", network]).trim();
    if (route) throw new Error(`the engine's bridge network ${network} is already routed on this machine (${route}); choose another with ENGINE_BRIDGE_CIDR`);
    must("ip", ["link", "add", "name", layout.bridge, "type", "bridge"]);
    must("ip", ["addr", "add", layout.bridgeCidr, "dev", layout.bridge]);
  }
  must("ip", ["link", "set", layout.bridge, "up"]);
}

function setupFirewall(layout: EngineLayout): void {
  const { jumps, rules } = firewall(layout, { bridgeNetfilter: existsSync("/proc/sys/net/bridge") });
  for (const table of ["filter", "nat"]) {
    if (!succeeds("iptables", ["-w", "-t", table, "-N", layout.chain])) must("iptables", ["-w", "-t", table, "-F", layout.chain]);
  }
  for (const { table, chain, rule } of jumps) {
    if (!succeeds("iptables", ["-w", "-t", table, "-C", chain, ...rule])) must("iptables", ["-w", "-t", table, "-A", chain, ...rule]);
  }
  for (const { table, chain, rule } of rules) must("iptables", ["-w", "-t", table, "-A", chain, ...rule]);
}

function teardownNetwork(layout: EngineLayout): void {
  const { jumps } = firewall(layout, { bridgeNetfilter: false });
  for (const { table, chain, rule } of jumps) succeeds("iptables", ["-w", "-t", table, "-D", chain, ...rule]);
  for (const table of ["filter", "nat"]) {
    succeeds("iptables", ["-w", "-t", table, "-F", layout.chain]);
    succeeds("iptables", ["-w", "-t", table, "-X", layout.chain]);
  }
  succeeds("ip", ["link", "delete", layout.bridge]);
}

/**
 * Reuses a healthy engine, or starts one and waits for it. One start at a
 * time: the caller holds the engine's lock (scripts/test-engine.sh takes it),
 * so a second caller waits, then finds the engine answering.
 */
export async function start(layout: EngineLayout): Promise<void> {
  if (await answers(layout)) {
    say(`reusing the engine at ${layout.socket}`);
    return;
  }
  if (process.getuid?.() !== 0) throw new Error("dockerd must run as root (its bridge and mounts need it): run this as root");
  const pid = runningPid(layout);
  if (pid === undefined) {
    mkdirSync(layout.execRoot, { recursive: true });
    chmodSync(layout.execRoot, 0o700);
    if (!existsSync(`${layout.dir}/daemon.json`)) writeFileSync(`${layout.dir}/daemon.json`, "{}\n");
    setupBridge(layout);
    setupFirewall(layout);
    rmSync(layout.pidfile, { force: true });
    rmSync(layout.socket, { force: true });
    say(`starting dockerd (log: ${layout.log})`);
    const log = openSync(layout.log, "a");
    // A session of its own (detached), so it outlives this process and its terminal.
    spawn(DOCKERD, dockerdArgs(layout), { detached: true, stdio: ["ignore", log, log] }).unref();
    closeSync(log);
  } else {
    say(`dockerd ${pid} is running but not answering yet: waiting for it`);
  }
  const started = Date.now();
  try {
    await waitFor(`dockerd on ${layout.socket}`, () => answers(layout), { timeoutMs: layout.startTimeoutSeconds * 1000, intervalMs: 1000 });
  } catch {
    throw new Error(`dockerd did not answer on ${layout.socket} within ${layout.startTimeoutSeconds}s; the end of ${layout.log}:\n${tail(layout.log, 30)}`);
  }
  say(`engine ready at ${layout.socket} after ${Math.round((Date.now() - started) / 1000)}s`);
}

/** Stops the engine by its pidfile and removes its bridge and firewall chains. */
export async function stop(layout: EngineLayout): Promise<void> {
  const pid = runningPid(layout);
  if (pid !== undefined) {
    say(`stopping dockerd ${pid}`);
    process.kill(pid, "SIGTERM");
    try {
      await waitFor(`dockerd ${pid} to stop`, () => !isAlive(pid), { timeoutMs: 60_000, intervalMs: 1000 });
    } catch {
      throw new Error(`dockerd ${pid} did not stop within 60s; the end of ${layout.log}:\n${tail(layout.log, 30)}`);
    }
  } else {
    say("no engine running");
  }
  rmSync(layout.pidfile, { force: true });
  teardownNetwork(layout);
}

/** "healthy", "starting" or "stopped", in the words the command prints. */
export async function status(layout: EngineLayout): Promise<{ healthy: boolean; line: string }> {
  if (await answers(layout)) return { healthy: true, line: `healthy: ${dockerHostOf(layout)}` };
  const pid = runningPid(layout);
  if (pid !== undefined) return { healthy: false, line: `starting: dockerd ${pid} is not answering on ${layout.socket} yet` };
  return { healthy: false, line: "stopped" };
}
