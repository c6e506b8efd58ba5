/**
 * What `npm run down` leaves behind on purpose (data volumes, the images it
 * built, the labs' files) and the exact commands that remove each, so a user
 * never has to guess what still takes space; `npm run down -- --purge`
 * removes all of it, after printing exactly what it removes. Only the stack's
 * own: its volumes by their names (the labs declare theirs, each in its
 * module: components/labs; components/platform/stackNames.ts), its
 * images by their tag (`:<stack>`), its data directory. Only on this
 * machine's engine, which only the local target uses; a remote target's
 * leftovers are on its machine and in its registry (describeRemoteLeftovers).
 */
import { existsSync, rmSync } from "node:fs";
import { LAB_VOLUMES } from "../../components/labs";
import { engineList, engineRequest } from "../../components/platform/enginePreflight";
import { MANAGED_BY_FILTER } from "../../components/platform/labels";
import { LOCAL_NAMESPACE } from "../../components/platform/registry";
import { stackVolumeName, stackVolumeNames } from "../../components/platform/stackNames";
import type { TargetModule } from "../../components/platform/target";
import { TARGETS, type Target } from "../../components/platform/targets";
import { npmRun } from "./pulumi";

export interface Leftovers {
  /** Data volumes the stack's state still holds, protected from destroy. */
  protectedVolumes: string[];
  /** The stack's volumes on the engine that the state no longer holds (retained on destroy). */
  retainedVolumes: string[];
  /** Images this project built into the engine for the stack (tagged `:<stack>`). */
  images: Array<{ tag: string; bytes: number }>;
  /** The directory of the labs' bind-mounted files, when it exists. */
  dataDir?: string;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads the stack's leftovers from the engine; `protectedVolumes` come from the stack's state, which the caller reads. */
export async function findLeftovers(endpoint: string, stack: string, protectedVolumes: string[], dataDir: string): Promise<Leftovers> {
  const volumes = await engineList<{ Volumes: Array<{ Name: string }> | null }>(endpoint, "/volumes", { label: [MANAGED_BY_FILTER] });
  // Docker answers each matching image with all its tags: the same image may also be another stack's.
  const imageList = (await engineList<Array<{ RepoTags: string[] | null; Size: number }>>(endpoint, "/images/json", { reference: [`${LOCAL_NAMESPACE}/*:${stack}`] })) ?? [];
  const stackVolumes = new Set(stackVolumeNames(Object.keys(LAB_VOLUMES), stack, "local"));
  const volumeNames = (volumes?.Volumes ?? []).map((volume) => volume.Name);
  return {
    protectedVolumes: [...protectedVolumes].sort(byName),
    retainedVolumes: volumeNames.filter((name) => stackVolumes.has(name) && !protectedVolumes.includes(name)).sort(byName),
    images: imageList
      .flatMap((image) => (image.RepoTags ?? []).filter((tag) => tag.startsWith(`${LOCAL_NAMESPACE}/`) && tag.endsWith(`:${stack}`)).map((tag) => ({ tag, bytes: image.Size })))
      .sort((a, b) => byName(a.tag, b.tag)),
    dataDir: existsSync(dataDir) ? dataDir : undefined,
  };
}

/**
 * The commands that lift the protection of a stack's protected volumes: each
 * setting that protects one off (its lab declares which), then up and down.
 */
function liftProtection(protectedVolumes: string[], stack: string, target: string): string {
  const keys = Object.entries(LAB_VOLUMES).flatMap(([course, { protectedBy }]) =>
    protectedBy && protectedVolumes.includes(stackVolumeName(course, stack, target)) ? [protectedBy] : []);
  const settingsOff = [...new Set(keys)].map((key) => `npm run pulumi -- config set ${key} false --stack ${stack}`);
  return [...settingsOff, npmRun("up", stack), npmRun("down", stack)].join(" && ");
}

const isEmpty = (leftovers: Leftovers): boolean =>
  leftovers.protectedVolumes.length + leftovers.retainedVolumes.length + leftovers.images.length === 0 && leftovers.dataDir === undefined;

/** The images' size as down reports it. */
function imageSize(images: Leftovers["images"]): string {
  const gigabytes = images.reduce((sum, image) => sum + image.bytes, 0) / 1024 ** 3;
  return `${images.length} tags, ${gigabytes.toFixed(1)} GiB counted image by image, less on disk where they share layers (docker system df)`;
}

/** The report `npm run down` prints: each kind of leftover with the command that removes it, then the one that removes them all. */
export function describeLeftovers(leftovers: Leftovers, stack: string): string {
  if (isEmpty(leftovers)) return "Nothing is left: no volume, image or file of the labs.";
  const lines: string[] = [];
  if (leftovers.protectedVolumes.length > 0) {
    lines.push(
      `Protected, still in the stack (Pulumi also counts the components above them as protected): ${leftovers.protectedVolumes.join(", ")}`,
      `  remove: ${liftProtection(leftovers.protectedVolumes, stack, "local")}, then the volume as below`,
    );
  }
  if (leftovers.retainedVolumes.length > 0) {
    lines.push(`Data volumes kept on the engine (the next up finds their data): ${leftovers.retainedVolumes.join(", ")}`, `  remove: docker volume rm ${leftovers.retainedVolumes.join(" ")}`);
  }
  if (leftovers.images.length > 0) {
    lines.push(`Images built here: ${imageSize(leftovers.images)}`, `  remove: docker image rm ${leftovers.images.map((image) => image.tag).join(" ")}`);
  }
  if (leftovers.dataDir) lines.push(`The labs' files (latencies, docker-basics' file): ${leftovers.dataDir}`, `  remove: rm -r ${leftovers.dataDir}`);
  lines.push(`Remove it all, the data included: ${npmRun("down", stack, "--purge")}`);
  return `Left on purpose:\n${lines.join("\n")}`;
}

/** What `--purge` is about to remove, every item named, printed before anything is removed. */
export function describePurge(leftovers: Leftovers, stack: string): string {
  if (isEmpty(leftovers)) return `Nothing of the stack "${stack}" is left to purge: no volume, image or file of the labs.`;
  const lines = [`Purging the stack "${stack}" removes, data included:`];
  if (leftovers.protectedVolumes.length > 0) lines.push(`  protected volumes (protection lifted, then destroyed with what is left of the stack): ${leftovers.protectedVolumes.join(", ")}`);
  if (leftovers.retainedVolumes.length > 0) lines.push(`  data volumes: ${leftovers.retainedVolumes.join(", ")}`);
  if (leftovers.images.length > 0) lines.push(`  images built here (${imageSize(leftovers.images)}): ${leftovers.images.map((image) => image.tag).join(", ")}`);
  if (leftovers.dataDir) lines.push(`  the labs' files: ${leftovers.dataDir}`);
  return lines.join("\n");
}

/**
 * Removes the retained volumes, the images and the data directory through the
 * engine at `endpoint` (protected volumes are still in the stack: the caller
 * destroys them through Pulumi first). Returns what could not be removed, each
 * with the reason; empty when all is gone.
 */
export async function purgeEngine(endpoint: string, leftovers: Leftovers): Promise<string[]> {
  const failures: string[] = [];
  const remove = async (what: string, path: string) => {
    try {
      await engineRequest(endpoint, "DELETE", path);
    } catch (err) {
      failures.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const volume of leftovers.retainedVolumes) await remove(`volume ${volume}`, `/volumes/${encodeURIComponent(volume)}`);
  // By tag: an image that another stack's tag also names stays for that stack, untagged here.
  for (const { tag } of leftovers.images) await remove(`image ${tag}`, `/images/${tag}`);
  if (leftovers.dataDir) {
    try {
      rmSync(leftovers.dataDir, { recursive: true });
    } catch (err) {
      // A directory handed to the containers' user (when that is not you) needs that user, or root, to go.
      failures.push(`${leftovers.dataDir}: ${(err as Error).message}; remove it with: sudo rm -r ${leftovers.dataDir}`);
    }
  }
  return failures;
}

/**
 * What `down` leaves on a remote target, which `--purge` does not reach: it
 * works on this machine's engine only.
 */
export function describeRemoteLeftovers(target: string, stack: string, protectedVolumes: string[]): string {
  const lines = [`Left on purpose, on the ${target} target (--purge removes only what the local target leaves on this machine's engine):`];
  if (protectedVolumes.length > 0) {
    lines.push(`  protected, still in the stack: ${protectedVolumes.join(", ")} (remove: ${liftProtection(protectedVolumes, stack, target)})`);
  }
  // Each target says what stays on its machine.
  const { leftOnMachine } = TARGETS[target as Target] as TargetModule<unknown>;
  if (leftOnMachine) lines.push(`  ${leftOnMachine}`);
  lines.push(`  in the registry: the images pushed there, tagged :${stack} (delete them with the registry's own tools, e.g. a ghcr.io package's settings)`);
  return lines.join("\n");
}
