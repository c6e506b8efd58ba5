/**
 * The project's cache directory (the private engine, the stand-ins, the Pulumi
 * toolchain, the ci stack's data): the one place its formula is written.
 * scripts/node-runtime.sh alone keeps a shell copy, since it installs the Node
 * that runs this file. Imports nothing but node: modules, so the scripts run it
 * with Node directly (type stripping), before `npm ci`.
 */
import { homedir } from "node:os";

/**
 * CONTAINER_LABS_CACHE, else container-labs under XDG_CACHE_HOME, else under
 * ~/.cache. An empty variable counts as unset and the parts are joined with a
 * plain "/", exactly as the shell's `${VAR:-...}/container-labs` did: the engine's
 * id is a hash of this text, so a different spelling would be another engine.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CONTAINER_LABS_CACHE || `${env.XDG_CACHE_HOME || `${env.HOME || homedir()}/.cache`}/container-labs`;
}
