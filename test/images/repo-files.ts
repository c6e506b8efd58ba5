/**
 * Finds the files the static checks cover, so images and scripts added later
 * are checked without anyone listing them here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { dockerignore } from "@container-labs/test-kit";
import type { BuildSource } from "../../components/platform/image";
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

const isDockerfileName = (name: string): boolean => (/^Dockerfile(\..+)?$/.test(name) || name.endsWith(".Dockerfile")) && !name.endsWith(".dockerignore");

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

/** What a build's COPY instructions can see: its context directory less its ignore file's exclusions. */
export function buildContext(source: BuildSource): BuildContext {
  const directory = join(REPO_ROOT, source.context);
  return { directory, isIgnored: dockerignore(directory, join(REPO_ROOT, source.dockerfile)) };
}

/**
 * Repo-relative paths of every file a build sends as its context. An ignored
 * directory is still searched, since a later `!pattern` may take back a path
 * below it; only dependency and VCS folders are skipped outright.
 */
export function contextFiles(source: BuildSource): string[] {
  const { directory, isIgnored } = buildContext(source);
  const walk = (relativeDir: string): string[] =>
    readdirSync(join(directory, relativeDir), { withFileTypes: true }).flatMap((entry) => {
      const path = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) && isIgnored(path) ? [] : walk(path);
      return isIgnored(path) ? [] : [relative(REPO_ROOT, join(directory, path))];
    });
  return walk("");
}
