/**
 * The EC2 host's data-volume script (mount-data-volume.sh) run for real by
 * bash, as root, on loop disks, each run in a private mount namespace where
 * the disk carries the name a Nitro instance gives an EBS volume
 * (fixtures/data-volume-namespace.sh). The rule it is held to: a disk is
 * formatted only when nothing at all is found on it; anything else it holds
 * is mounted if it is ext4, and otherwise left byte for byte as it was.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describeNeeding } from "../support/machineNeeds";
import { ROOT } from "../support/stackConfig";

const SCRIPT = path.join(ROOT, "components", "platform", "ec2", "mount-data-volume.sh");
const HARNESS = path.join(ROOT, "test", "platform", "fixtures", "data-volume-namespace.sh");
const VOLUME_ID = "vol-0123456789abcdef0";
const MOUNT_POINT = "/srv/container-labs";

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: "utf8", input });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

interface Disk {
  image: string;
  device: string;
}

interface Outcome {
  status: number;
  output: string;
  fstab: string;
  /** "target source fstype" of the mount point and the two bind mounts that are mounted. */
  mounts: string[];
  /** The file `stored` in the volume's data directory, read through /var/lib/container-labs; null when absent. */
  stored: string | null;
  systemctl: string;
}

/** What blkid's low-level probe finds on the device, as KEY=value pairs. */
function probe(device: string): Record<string, string> {
  const result = spawnSync("blkid", ["-p", "-o", "export", device], { encoding: "utf8" });
  return Object.fromEntries(result.stdout.trim().split("\n").filter(Boolean).map((line) => line.split(/=(.*)/s, 2)));
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describeNeeding(
  {
    what: "root and loop devices (they attach loop disks, format and mount them in a mount namespace)",
    skipVariable: "CONTAINER_LABS_NO_LOOP_DEVICES",
    probes: [["unshare", "--mount", "--propagation", "private", "true"], ["losetup", "--find"]],
  },
  "container-labs-mount-data (mount-data-volume.sh) on real loop disks",
  () => {
    let work: string;
    const disks: Disk[] = [];

    beforeAll(() => {
      work = mkdtempSync(path.join(tmpdir(), "data-volume-"));
    });
    afterEach(() => {
      for (const disk of disks.splice(0)) run("losetup", ["--detach", disk.device]);
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    /**
     * A 32 MiB disk of zeros attached as a loop device. With --partscan the
     * kernel treats it as a disk whose partitions it manages, and drops them
     * when it is detached: without it, a partition added to the loop device
     * outlives the detach and shows on the next disk attached there.
     */
    function blankDisk(name: string): Disk {
      const image = path.join(work, `${name}.img`);
      run("truncate", ["--size", "32M", image]);
      const disk = { image, device: run("losetup", ["--find", "--show", "--partscan", image]).trim() };
      disks.push(disk);
      return disk;
    }

    /**
     * Writes a DOS partition table with one partition holding ext4 data, and
     * has the kernel add the partition. partx does what the kernel of an
     * instance does itself: this machine's kernel is built without
     * partition-table parsers (no CONFIG_MSDOS_PARTITION in /proc/config.gz).
     */
    function partition(disk: Disk): void {
      run("sfdisk", ["--quiet", "--label", "dos", disk.device], "start=2048, type=83\n");
      run("partx", ["--add", disk.device]);
      writeExt4Data(`${disk.device}p1`, "in a partition someone made\n");
    }

    /** Formats `device` as ext4 holding data/stored, as an earlier instance left it; returns its UUID. */
    function writeExt4Data(device: string, stored: string): string {
      const seed = mkdtempSync(path.join(work, "seed-"));
      mkdirSync(path.join(seed, "data"));
      writeFileSync(path.join(seed, "data", "stored"), stored);
      run("mkfs.ext4", ["-q", "-L", "container-labs", "-d", seed, device]);
      return probe(device).UUID;
    }

    /** A directory to put first on PATH, whose `command` fails as a broken tool would, with `status`. */
    function failing(command: string, status: number): string {
      const dir = mkdtempSync(path.join(work, "failing-"));
      writeFileSync(path.join(dir, command), `#!/bin/sh\necho "${command}: cannot read the device (stand-in failure)" >&2\nexit ${status}\n`, { mode: 0o755 });
      return dir;
    }

    /** Runs the script on the disk, as a freshly booted instance (empty /etc/fstab) would. */
    function mountDataVolume(disk: Disk, pathFirst?: string): Outcome {
      const report = mkdtempSync(path.join(work, "report-"));
      run("unshare", ["--mount", "--propagation", "private", HARNESS, SCRIPT, VOLUME_ID, disk.device, report, ...(pathFirst ? [pathFirst] : [])]);
      const read = (file: string) => (existsSync(path.join(report, file)) ? readFileSync(path.join(report, file), "utf8") : null);
      return {
        status: Number(read("status")),
        output: read("output")!,
        fstab: read("fstab")!,
        mounts: read("mounts")!.trim().split("\n").filter(Boolean),
        stored: read("stored"),
        systemctl: read("systemctl") ?? "",
      };
    }

    /** Nothing mounted, nothing written to /etc/fstab, a non-zero exit naming the device. */
    function expectRefused(outcome: Outcome, disk: Disk, found: string | RegExp): void {
      expect(outcome.status).not.toBe(0);
      expect(outcome.output).toContain(`refusing to format or mount ${VOLUME_ID} (${disk.device})`);
      expect(outcome.output).toMatch(found);
      expect(outcome.output).not.toContain("formatting it");
      expect(outcome.mounts).toEqual([]);
      expect(outcome.fstab).toBe("");
    }

    it("mounts a disk that holds an ext4 filesystem without formatting it: same UUID, its files kept, mounted by UUID with nofail", () => {
      const disk = blankDisk("ext4-data");
      const uuid = writeExt4Data(disk.device, "written by the previous instance\n");

      const outcome = mountDataVolume(disk);

      expect(outcome.status).toBe(0);
      expect(outcome.output).not.toContain("formatting it");
      expect(probe(disk.device).UUID).toBe(uuid);
      expect(outcome.stored).toBe("written by the previous instance\n");
      expect(outcome.mounts).toEqual([
        `${MOUNT_POINT} ${disk.device} ext4`,
        `/var/lib/docker/volumes ${disk.device}[/docker-volumes] ext4`,
        `/var/lib/container-labs ${disk.device}[/data] ext4`,
      ]);
      // By UUID: the NVMe name a Nitro instance gives the volume can change between boots and instance types.
      expect(outcome.fstab.split("\n")[0]).toBe(`UUID=${uuid} ${MOUNT_POINT} ext4 defaults,nofail 0 2`);
      expect(outcome.systemctl).toBe("daemon-reload\n");
    });

    it("refuses a partitioned disk, whose whole-disk probe finds no filesystem: nothing formatted, the partition's data intact", () => {
      const disk = blankDisk("partitioned");
      partition(disk);
      const before = sha256(disk.image);

      const outcome = mountDataVolume(disk);

      expectRefused(outcome, disk, /PTTYPE=dos/);
      expect(sha256(disk.image)).toBe(before);
    });

    it("refuses a disk whose partition table is lost but whose partition the kernel still holds: nothing formatted", () => {
      const disk = blankDisk("table-lost");
      partition(disk);
      // The table's boot signature zeroed: neither blkid nor wipefs finds anything on the whole disk now.
      run("dd", [`of=${disk.device}`, "bs=1", "seek=510", "count=2", "conv=notrunc,fsync", "status=none"], "\0\0");
      expect(probe(disk.device)).toEqual({});
      const before = sha256(disk.image);

      const outcome = mountDataVolume(disk);

      expectRefused(outcome, disk, `the kernel holds devices on it: ${disk.device.slice("/dev/".length)}p1 part`);
      expect(sha256(disk.image)).toBe(before);
    });

    it("refuses while blkid fails, rather than reading its silence as an empty disk: the ext4 data intact", () => {
      const disk = blankDisk("blkid-fails");
      writeExt4Data(disk.device, "kept\n");
      const before = sha256(disk.image);

      const outcome = mountDataVolume(disk, failing("blkid", 4));

      expectRefused(outcome, disk, "blkid -p failed (exit 4");
      expect(sha256(disk.image)).toBe(before);
    });

    it.each([["wipefs"], ["lsblk"]])("refuses a blank disk while %s, the cross-check before formatting, fails: it stays blank", (command) => {
      const disk = blankDisk(`${command}-fails`);

      const outcome = mountDataVolume(disk, failing(command, 1));

      expectRefused(outcome, disk, `${command} could not list it`);
      expect(probe(disk.device)).toEqual({});
    });

    it("formats a blank disk and mounts it; the next instance to run it on that disk finds the filesystem and keeps it", () => {
      const disk = blankDisk("blank");

      const first = mountDataVolume(disk);

      expect(first.status).toBe(0);
      expect(first.output).toContain(`${VOLUME_ID} (${disk.device}) holds nothing (blkid -p, wipefs, lsblk): formatting it`);
      const formatted = probe(disk.device);
      expect(formatted).toMatchObject({ TYPE: "ext4", LABEL: "container-labs" });
      expect(first.fstab.split("\n")[0]).toBe(`UUID=${formatted.UUID} ${MOUNT_POINT} ext4 defaults,nofail 0 2`);
      expect(first.mounts[0]).toBe(`${MOUNT_POINT} ${disk.device} ext4`);

      const replacement = mountDataVolume(disk);

      expect(replacement.status).toBe(0);
      expect(replacement.output).not.toContain("formatting it");
      expect(probe(disk.device).UUID).toBe(formatted.UUID);
      expect(replacement.mounts).toHaveLength(3);
    });
  },
);
