/**
 * Where the Pulumi toolchain lives in the project's cache, and the environment
 * its recipes build in and its users run with.
 */
import { cacheDir } from "../../packages/test-kit/src/cache.ts";

export interface ToolchainLayout {
  root: string;
  /** The binaries, first on PATH for the toolchain's users. */
  bin: string;
  builds: string;
  /** One stamp a component: what its binary was built from. */
  stamps: string;
  logs: string;
  /** The version the proxy serves for a wanted one, kept so that a warm run asks it nothing. */
  resolved: string;
  /** A Docker config directory of the toolchain's own, holding the buildx plugin. */
  dockerConfig: string;
  dockerPlugins: string;
  gopath: string;
}

export function toolchainLayout(env: NodeJS.ProcessEnv = process.env): ToolchainLayout {
  const root = `${cacheDir(env)}/pulumi-toolchain`;
  const dockerConfig = `${root}/docker-config`;
  return {
    root,
    bin: `${root}/bin`,
    builds: `${root}/build`,
    stamps: `${root}/stamps`,
    logs: `${root}/logs`,
    resolved: `${root}/resolved`,
    dockerConfig,
    dockerPlugins: `${dockerConfig}/cli-plugins`,
    gopath: `${root}/go`,
  };
}

/** Go's module and build caches inside the toolchain's directory, so a second run rebuilds only what changed. */
export function goEnv(layout: ToolchainLayout): Record<string, string> {
  return {
    GOPATH: layout.gopath,
    GOMODCACHE: `${layout.gopath}/mod`,
    GOCACHE: `${layout.gopath}/cache`,
    // Build directories are copies of module zips, not checkouts: no VCS stamping.
    GOFLAGS: "-buildvcs=false -trimpath",
  };
}

/** The directories a recipe reads and writes, as recipes.sh names them. */
export function recipeEnv(layout: ToolchainLayout): Record<string, string> {
  return { BIN: layout.bin, BUILDS: layout.builds, STAMPS: layout.stamps, RESOLVED: layout.resolved, DOCKER_PLUGINS: layout.dockerPlugins, ...goEnv(layout) };
}

/** A word as bash's printf %q would let it through: quoted only when it has to be. */
function shellQuoted(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The lines a caller evals: the toolchain first on PATH, plugins found there
 * (ambient plugins are used whatever version is asked for), and no download of
 * any kind.
 */
export function envLines(layout: ToolchainLayout): string[] {
  return [
    `export PATH=${shellQuoted(layout.bin)}:"$PATH"`,
    "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
    "export PULUMI_SKIP_UPDATE_CHECK=true",
    "unset PULUMI_IGNORE_AMBIENT_PLUGINS",
    `export DOCKER_CONFIG=${shellQuoted(layout.dockerConfig)}`,
  ];
}
