/**
 * Which version of each component to build: the npm SDK's version from
 * package-lock.json, and the first version at or above it that the Go module
 * proxy serves whole (the proxy here may list a version's go.mod but refuse
 * its zip).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { ToolchainLayout } from "./layout.ts";

/** The version of an npm package in package-lock.json's text. */
export function sdkVersion(lockText: string, npmPackage: string): string | undefined {
  const lock = JSON.parse(lockText) as { packages?: Record<string, { version?: string }> };
  return lock.packages?.[`node_modules/${npmPackage}`]?.version;
}

/**
 * Orders versions as `sort -V` does the proxy's: numbers compared as numbers,
 * part by part (3.274.0 after 3.99.0), a missing part first.
 */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split(/[.-]/);
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(x.length, y.length); index++) {
    const [p, q] = [x[index], y[index]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const [m, n] = [Number(p), Number(q)];
    const order = Number.isInteger(m) && Number.isInteger(n) ? m - n : p < q ? -1 : p > q ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}

/** What the toolchain asks of the Go module proxy. */
export interface ModuleProxy {
  /** Whether the proxy serves module@v<version> whole: its zip too. */
  serves(module: string, version: string): Promise<boolean>;
  /** The versions the proxy lists for the module, without their leading v. */
  versions(module: string): Promise<string[]>;
}

/** `wanted` when the proxy serves it, else the lowest release above it that it serves; undefined when none. */
export async function nearestServedVersion(proxy: ModuleProxy, module: string, wanted: string): Promise<string | undefined> {
  if (await proxy.serves(module, wanted)) return wanted;
  const above = (await proxy.versions(module))
    .filter((candidate) => !candidate.includes("-") && compareVersions(candidate, wanted) >= 0)
    .sort(compareVersions);
  for (const candidate of above) {
    if (await proxy.serves(module, candidate)) return candidate;
  }
  return undefined;
}

/** Where the answer for module at `wanted` is kept: one file a question. */
export function resolvedFile(layout: ToolchainLayout, module: string, wanted: string): string {
  return `${layout.resolved}/${module.replaceAll("/", "_")}@${wanted}`;
}

/** The answer kept for module at `wanted`, if the proxy was asked before. */
export function keptVersion(layout: ToolchainLayout, module: string, wanted: string): string | undefined {
  const file = resolvedFile(layout, module, wanted);
  return (existsSync(file) && readFileSync(file, "utf8").trim()) || undefined;
}

/** nearestServedVersion, asked of the proxy once: the answer is kept, so a warm run works offline. */
export async function resolvedVersion(layout: ToolchainLayout, proxy: ModuleProxy, module: string, wanted: string): Promise<string | undefined> {
  const kept = keptVersion(layout, module, wanted);
  if (kept) return kept;
  const version = await nearestServedVersion(proxy, module, wanted);
  if (version !== undefined) {
    mkdirSync(layout.resolved, { recursive: true });
    writeFileSync(resolvedFile(layout, module, wanted), `${version}\n`);
  }
  return version;
}
