/**
 * What `npm run down` leaves behind on purpose (data volumes, the images it
 * built, the labs' files) and the exact commands that remove each, so a user
 * never has to guess what still takes space.
 */
import { existsSync } from "node:fs";
import { engineList } from "../../components/platform/enginePreflight";
import { MANAGED_BY_FILTER } from "../../components/platform/labels";
import { LOCAL_NAMESPACE } from "../../components/platform/registry";
import { npmRun } from "./pulumi";

export interface Leftovers {
  /** Data volumes the stack's state still holds, protected from destroy. */
  protectedVolumes: string[];
  /** Volumes of this project on the engine that the state no longer holds (retained on destroy). */
  retainedVolumes: string[];
  /** Images this project built into the engine. */
  images: Array<{ tag: string; bytes: number }>;
  /** The directory of the labs' bind-mounted files, when it exists. */
  dataDir?: string;
}

/** Reads the leftovers from the engine; `protectedVolumes` come from the stack's state, which the caller reads. */
export async function findLeftovers(endpoint: string, protectedVolumes: string[], dataDir: string): Promise<Leftovers> {
  const volumes = await engineList<{ Volumes: Array<{ Name: string }> | null }>(endpoint, "/volumes", { label: [MANAGED_BY_FILTER] });
  const imageList = (await engineList<Array<{ RepoTags: string[] | null; Size: number }>>(endpoint, "/images/json", { reference: [`${LOCAL_NAMESPACE}/*`] })) ?? [];
  const volumeNames = (volumes?.Volumes ?? []).map((volume) => volume.Name);
  return {
    protectedVolumes: [...protectedVolumes].sort(),
    retainedVolumes: volumeNames.filter((name) => !protectedVolumes.includes(name)).sort(),
    images: imageList.flatMap((image) => (image.RepoTags ?? []).map((tag) => ({ tag, bytes: image.Size }))).sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
    dataDir: existsSync(dataDir) ? dataDir : undefined,
  };
}

/** The report `npm run down` prints: each kind of leftover, then the one command that removes it. */
export function describeLeftovers(leftovers: Leftovers, stack: string): string {
  const lines: string[] = [];
  if (leftovers.protectedVolumes.length > 0) {
    lines.push(
      `Protected, still in the stack (Pulumi also counts the components above them as protected): ${leftovers.protectedVolumes.join(", ")}`,
      `  remove: npm run pulumi -- config set kleewebProtectDatabase false --stack ${stack} && ${npmRun("up", stack)} && ${npmRun("down", stack)}, then the volume as below`,
    );
  }
  if (leftovers.retainedVolumes.length > 0) {
    lines.push(`Data volumes kept on the engine (the next up finds their data): ${leftovers.retainedVolumes.join(", ")}`, `  remove: docker volume rm ${leftovers.retainedVolumes.join(" ")}`);
  }
  if (leftovers.images.length > 0) {
    const gigabytes = leftovers.images.reduce((sum, image) => sum + image.bytes, 0) / 1024 ** 3;
    lines.push(`Images built here: ${leftovers.images.length} tags, ${gigabytes.toFixed(1)} GiB counted image by image, less on disk where they share layers (docker system df)`, `  remove: docker image rm ${leftovers.images.map((image) => image.tag).join(" ")}`);
  }
  if (leftovers.dataDir) lines.push(`The labs' files (latencies, docker-basics' file): ${leftovers.dataDir}`, `  remove: rm -r ${leftovers.dataDir}`);
  return lines.length > 0 ? `Left on purpose:\n${lines.join("\n")}` : "Nothing is left: no volume, image or file of the labs.";
}
