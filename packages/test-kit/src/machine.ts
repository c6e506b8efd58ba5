/**
 * The stand-in machine (scripts/standins/machine): a container on the private
 * engine that boots as a cloud instance does, systemd as PID 1 and cloud-init
 * reading a NoCloud seed, with a loop device of this host as its data disk
 * when given one. What the tests run in place of an EC2 instance, and the
 * nodes of their swarm (swarm.ts). Needs root (cgroups, loop devices).
 */
import { execFile } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { docker, type Engine } from "./engine";
import { waitFor } from "./wait";

const execFileAsync = promisify(execFile);

/** Where an attached EBS volume shows up on a Xen instance: one of the names mount-data-volume.sh looks for. */
export const MACHINE_DISK = "/dev/xvdf";

/**
 * Linux capabilities by bit number, up to the last one Docker 20.10 knows
 * (AUDIT_READ, 37; it refuses PERFMON, BPF and CHECKPOINT_RESTORE by name).
 */
const CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
  "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
  "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
];

/**
 * The capabilities a machine gets: every one in this process's bounding set.
 * Not --privileged, which asks for all of them and fails where root's
 * bounding set lacks one (CAP_SYS_RESOURCE on the build machines).
 */
export function grantableCapabilities(procStatus = readFileSync("/proc/self/status", "utf8")): string[] {
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(procStatus)?.[1];
  if (!bounding) throw new Error("no CapBnd line in /proc/self/status");
  const bits = BigInt(`0x${bounding}`);
  return CAPABILITIES.filter((_, bit) => (bits >> BigInt(bit)) & 1n);
}

/** A sparse file of `sizeMiB` attached to a free loop device of this host; resolves to the device (e.g. /dev/loop3). */
export async function attachLoopDisk(file: string, sizeMiB: number): Promise<string> {
  const fd = openSync(file, "w");
  ftruncateSync(fd, sizeMiB * 1024 * 1024);
  closeSync(fd);
  const { stdout } = await execFileAsync("losetup", ["--find", "--show", file]);
  return stdout.trim();
}

/** Detaches every loop device of this host backed by `file`. */
export async function detachLoopDisks(file: string): Promise<void> {
  const { stdout } = await execFileAsync("losetup", ["--associated", file]).catch(() => ({ stdout: "" }));
  for (const line of stdout.split("\n").filter(Boolean)) {
    await execFileAsync("losetup", ["--detach", line.slice(0, line.indexOf(":"))]);
  }
}

/**
 * A user-defined network of the engine on `subnet`, where machines take
 * fixed addresses (MachineOptions.address); a network of that name that a
 * stopped run left is replaced. Refused when this host routes part of the
 * subnet already: traffic to the machines could go there instead. Resolves
 * to its removal.
 */
export async function createFixedNetwork(engine: Engine, name: string, subnet: string): Promise<() => Promise<void>> {
  await docker(engine, ["network", "rm", name]).catch(() => undefined);
  // Routes that hold the subnet (but the default route) or part of it.
  const routes = await Promise.all(["match", "root"].map((selector) => execFileAsync("ip", ["-4", "-o", "route", "show", selector, subnet])));
  const routed = routes.flatMap(({ stdout }) => stdout.split("\n")).filter((line) => line && !line.startsWith("default"));
  if (routed.length > 0) throw new Error(`${subnet}, the network ${name}'s subnet, is routed on this host already: ${routed.join("; ")}`);
  await docker(engine, ["network", "create", "--driver", "bridge", "--subnet", subnet, name]);
  return async () => {
    await docker(engine, ["network", "rm", name]).catch(() => undefined);
  };
}

export interface MachineOptions {
  image: string;
  /** The container's name; its root volume (Docker's data root) is `<name>-docker`. */
  name: string;
  /** The NoCloud seed: what EC2's user data and instance metadata are to an instance. */
  seed: { userData: string; metaData: string };
  /** A block device of this host (attachLoopDisk), attached to the machine as MACHINE_DISK; none when not given. */
  disk?: string;
  /** Machine port to a port on the host's 127.0.0.1. */
  publish: Record<number, number>;
  /**
   * A user-defined network of the engine, with a subnet of its own, and the
   * machine's address on it: a new machine given the same one answers where
   * the old one did, as a replaced instance does at its Elastic IP. Unset:
   * whatever address the default bridge hands out.
   */
  address?: { network: string; ip: string };
}

export interface Machine {
  name: string;
  /** Runs a command on the machine as root; resolves to its stdout. */
  exec(command: string[]): Promise<string>;
  /** Waits for the boot to end (cloud-init's last stage included); resolves to systemd's state, "running" when no unit failed. */
  booted(timeoutMs?: number): Promise<string>;
  /** A reboot: systemd shuts down, the container starts again with the same disks. */
  reboot(): Promise<void>;
  /** Shuts the machine down cleanly and removes it, its root volume and its seed; the data disk stays. */
  remove(): Promise<void>;
}

/** The machine's NoCloud seed on this host, bound into it read-only. */
const seedDir = (name: string) => join(tmpdir(), `${name}-seed`);

/** Removes the machine named `name`, its root volume and its seed, whatever state it is in: for afterAll. */
export async function removeMachine(engine: Engine, name: string): Promise<void> {
  await docker(engine, ["rm", "--force", name]).catch(() => undefined);
  await docker(engine, ["volume", "rm", "--force", `${name}-docker`]).catch(() => undefined);
  rmSync(seedDir(name), { recursive: true, force: true });
}

/**
 * Boots a machine. Its /var/lib/docker is a volume, so that the machine's own
 * dockerd stores images with overlay2 (on the container's overlay it falls
 * back to vfs); /run is a tmpfs, as systemd expects; cgroups are the host's.
 */
export async function startMachine(engine: Engine, options: MachineOptions): Promise<Machine> {
  const seed = seedDir(options.name);
  rmSync(seed, { recursive: true, force: true });
  // User data holds the SSH host's private key: only root reads it, as on EC2's metadata service.
  mkdirSync(seed, { mode: 0o700 });
  writeFileSync(join(seed, "user-data"), options.seed.userData, { mode: 0o600 });
  writeFileSync(join(seed, "meta-data"), options.seed.metaData, { mode: 0o600 });
  const args = ["run", "--detach", "--name", options.name, "--hostname", options.name];
  for (const capability of grantableCapabilities()) args.push("--cap-add", capability);
  args.push(
    "--security-opt", "seccomp=unconfined",
    "--security-opt", "apparmor=unconfined",
    "--tmpfs", "/run",
    "--tmpfs", "/run/lock",
    "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--volume", `${seed}:/var/lib/cloud/seed/nocloud:ro`,
    "--volume", `${options.name}-docker:/var/lib/docker`,
    // systemd halts on SIGRTMIN+3 (the image's STOPSIGNAL); a clean shutdown unmounts the data disk.
    "--stop-timeout", "60",
  );
  if (options.address) args.push("--network", options.address.network, "--ip", options.address.ip);
  if (options.disk) args.push("--device", `${options.disk}:${MACHINE_DISK}`);
  for (const [port, hostPort] of Object.entries(options.publish)) args.push("--publish", `127.0.0.1:${hostPort}:${port}`);
  args.push(options.image);
  await docker(engine, args);
  const exec = (command: string[]) => docker(engine, ["exec", options.name, ...command]);
  return {
    name: options.name,
    exec,
    booted: async (timeoutMs = 300_000) => {
      let state = "";
      await waitFor(`${options.name} to finish booting`, async () => {
        // Exits non-zero for "degraded": the state is what counts.
        state = await exec(["sh", "-c", "systemctl is-system-running --wait || true"]);
        return state === "running" || state === "degraded";
      }, { timeoutMs, intervalMs: 500 });
      return state;
    },
    reboot: async () => {
      await docker(engine, ["restart", options.name]);
    },
    remove: async () => {
      await docker(engine, ["stop", options.name]).catch(() => undefined);
      await removeMachine(engine, options.name);
    },
  };
}
