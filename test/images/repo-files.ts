/**
 * Finds the files the static checks cover, so images and scripts added later
 * are checked without anyone listing them here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { dockerignoreMatcher } from "@container-labs/test-kit";
import type { BuildContext } from "./dockerfile-rules";

export const REPO_ROOT = join(__dirname, "..", "..");
const IMAGES = join(REPO_ROOT, "images");
/** The one Dockerfile every Node service without a Dockerfile of its own is built with. */
export const NODE_SERVICE_DOCKERFILE = "images/node-service.Dockerfile";
const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", ".git"]);

/** Repo-relative paths of the files under `directory` (recursively) whose name passes `accept`. */
function findFiles(directory: string, accept: (name: string) => boolean): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : findFiles(path, accept);
      return accept(entry.name) ? [relative(REPO_ROOT, path)] : [];
    })
    .sort();
}

const isDockerfileName = (name: string): boolean => /^Dockerfile(\..+)?$/.test(name) || name.endsWith(".Dockerfile");

/** Every Dockerfile under images/: the shared one and each image's own. */
export const dockerfiles = (): string[] => findFiles(IMAGES, isDockerfileName);

export const shellScripts = (): string[] => findFiles(REPO_ROOT, (name) => name.endsWith(".sh"));

export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), "utf8");

export interface NodeServiceWorkspace {
  /** `<lab>/<service>`, the SERVICE build argument of node-service.Dockerfile. */
  service: string;
  directory: string;
  packageJson: { main?: string; scripts?: Record<string, string> };
}

/** images/<lab>/<service> packages whose entry point is dist/main.js and that have no Dockerfile of their own. */
export function nodeServiceWorkspaces(): NodeServiceWorkspace[] {
  return readdirSync(IMAGES, { withFileTypes: true })
    .filter((lab) => lab.isDirectory())
    .flatMap((lab) => readdirSync(join(IMAGES, lab.name), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => `${lab.name}/${entry.name}`))
    .filter((service) => existsSync(join(IMAGES, service, "package.json")))
    .map((service) => ({
      service,
      directory: `images/${service}`,
      packageJson: JSON.parse(readFileSync(join(IMAGES, service, "package.json"), "utf8")) as NodeServiceWorkspace["packageJson"],
    }))
    .filter(({ directory, packageJson }) => packageJson.main === "dist/main.js" && findFiles(join(REPO_ROOT, directory), isDockerfileName).length === 0)
    .sort((a, b) => a.service.localeCompare(b.service));
}

/**
 * The build context of a Dockerfile, by this project's convention: a header
 * comment saying "Build context: the repository root" makes it the root,
 * otherwise it is the Dockerfile's own directory. Its .dockerignore applies.
 */
export function buildContextOf(dockerfilePath: string, text: string): BuildContext {
  const directory = /build context:\s*the repository root/i.test(text) ? REPO_ROOT : join(REPO_ROOT, dirname(dockerfilePath));
  const ignoreFile = join(directory, ".dockerignore");
  return { directory, isIgnored: dockerignoreMatcher(existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "") };
}
