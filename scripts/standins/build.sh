#!/usr/bin/env bash
# Builds the stand-in images into the private engine (scripts/test-engine.sh):
# one for each external image the program uses, since no image registry is
# reachable from the build machines. Each is made here from Debian packages
# (a debootstrap base imported with `docker import`) and the npm registry,
# from a recipe in scripts/standins/<name>/, and keeps the contract the labs
# rely on (see scripts/standins/README.md).
#
# Built once and cached: each image is tagged with a hash of its recipe (and
# of the recipes it builds on), so it is rebuilt only when that changes. Ends
# by writing <cache>/standins/refs.json, {"node": "<ref>", ...}, the mapping
# the `ci` stack gives the program's mirror setting, and
# <cache>/standins/fixtures.json, {"machine": "<tag>", "registry": "<tag>"},
# the images only the tests run (the stand-in machine and registry). Each <ref> is pinned by digest
# (REGISTRY/container-labs-standin/<name>@sha256:...): BuildKit 20.10 takes a
# digest reference in `FROM ${NODE_IMAGE}` and finds the image in the
# engine's store, where an image ID (`sha256:...`) is read as an image named
# docker.io/library/sha256 and pulled. The digest is minted by pushing each
# new stand-in once to Debian's docker-registry, run on loopback only while
# this script pushes; afterwards the engine resolves the reference locally.
#
# Environment: DOCKER_HOST (default: the private engine's socket),
# CONTAINER_LABS_CACHE, EXTRA_CA_FILE (a CA bundle for TLS-inspecting proxies,
# default: the machine's bundle when it exists), DEBIAN_MIRROR for debootstrap.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# Tools of the test kit, run on the project's Node.
kit() { "$ROOT/scripts/node-runtime.sh" run "packages/test-kit/bin/$1.ts" "${@:2}"; }
STORE="$(kit cache-dir)/standins"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
EXTRA_CA_FILE="${EXTRA_CA_FILE-/etc/ssl/certs/ca-certificates.crt}"
REGISTRY="${STANDIN_REGISTRY:-127.0.0.1:5959}"
# The Node.js the project runs on (scripts/node-runtime.sh): the node stand-in carries the same.
NODE_VERSION="$(tr -d '[:space:]' <"$ROOT/.node-version")"
DOCKER=/usr/bin/docker # the 20.10 client of docker.io: newer clients refuse DOCKER_BUILDKIT=1 without buildx
export DOCKER_BUILDKIT=1
if [ -z "${DOCKER_HOST:-}" ]; then
  eval "$("$ROOT/scripts/test-engine.sh" env)"
  export DOCKER_HOST
fi

# The recipes in build order, each with the image it builds FROM (its BASE build argument) and
# what it replaces (packages/test-kit/src/standins.ts): the Debian base, a stand-in for each
# external image the program uses (policy/lib/externalImages.ts), which go to refs.json, and the
# test fixtures, which go to fixtures.json: what the tests run in place of something the program
# never runs itself (a cloud instance, ghcr.io).
ORDER=() STANDINS=() FIXTURES=()
declare -A REPLACES BUILT_ON
recipes="$(kit standins "$NODE_VERSION")"
while IFS=$'\t' read -r name role built_on replaces; do
  ORDER+=("$name")
  BUILT_ON[$name]="$built_on"
  REPLACES[$name]="$replaces"
  case "$role" in
    standin) STANDINS+=("$name") ;;
    fixture) FIXTURES+=("$name") ;;
  esac
done <<<"$recipes"
# Versions a recipe takes as build arguments (the node recipe's npm-packages says ${NODE_VERSION} too); part of its hash.
declare -A VERSION_ARGS=([node]="NODE_VERSION=$NODE_VERSION")

say() { echo "standins: $*" >&2; }

mkdir -p "$STORE"
if ! "$DOCKER" info >/dev/null 2>&1; then
  say "no Docker engine answers at ${DOCKER_HOST}: start one with scripts/test-engine.sh start"
  exit 1
fi

# A short hash of files' names and contents (and of any extra words given after --).
hash_of() {
  local files=() extra=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift && extra=("$@")
  {
    for path in "${files[@]}"; do
      if [ -d "$path" ]; then
        (cd "$path" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
      else
        sha256sum <"$path"
      fi
    done
    printf '%s\n' "${extra[@]}"
  } | sha256sum | cut -c1-16
}

image_id() { "$DOCKER" image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

# The file system of `debootstrap --variant=minbase bookworm` (about 4 minutes
# cold, kept as a tarball in the cache), imported with `docker import`: the
# base of the `debian` stand-in, and through it of all the others.
DEBOOTSTRAP_SUITE=bookworm
DEBOOTSTRAP_VARIANT=minbase
import_debootstrap() {
  local hash tag tarball
  hash="$(hash_of -- "$DEBOOTSTRAP_SUITE" "$DEBOOTSTRAP_VARIANT" "$DEBIAN_MIRROR")"
  tag="container-labs-standin/debootstrap:$DEBOOTSTRAP_SUITE-$hash"
  if image_id "$tag" >/dev/null; then
    say "debootstrap ($tag): cached"
    BASES[debootstrap]="$tag"
    return
  fi
  tarball="$STORE/debootstrap-$DEBOOTSTRAP_SUITE-$DEBOOTSTRAP_VARIANT-$hash.tar"
  if [ ! -f "$tarball" ]; then
    local rootfs="$STORE/rootfs.tmp" started=$SECONDS
    rm -rf "$rootfs"
    say "debootstrap --variant=$DEBOOTSTRAP_VARIANT $DEBOOTSTRAP_SUITE from $DEBIAN_MIRROR (about 4 minutes; log: $STORE/debootstrap.log)"
    if ! debootstrap --variant="$DEBOOTSTRAP_VARIANT" "$DEBOOTSTRAP_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$STORE/debootstrap.log" 2>&1; then
      say "debootstrap failed; the end of $STORE/debootstrap.log:"
      tail -n 20 "$STORE/debootstrap.log" >&2
      exit 1
    fi
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    say "debootstrap done in $((SECONDS - started))s"
  fi
  say "debootstrap: importing $tag"
  "$DOCKER" import --change "LABEL container-labs.standin=debootstrap container-labs.standin.recipe=$hash" "$tarball" "$tag" >/dev/null
  BASES[debootstrap]="$tag"
}

# npm packages a recipe lists in its `npm-packages` file, packed into its build context.
pack_npm_packages() {
  local recipe="$1" context="$2"
  [ -f "$recipe/npm-packages" ] || return 0
  mkdir -p "$STORE/npm" "$context/npm"
  local spec
  while read -r spec; do
    case "$spec" in '' | '#'*) continue ;; esac
    spec="${spec//\$\{NODE_VERSION\}/$NODE_VERSION}"
    local file="$STORE/npm/${spec//[@\/]/_}.tgz"
    if [ ! -f "$file" ]; then
      say "  npm pack $spec"
      local packed
      packed="$(cd "$STORE/npm" && npm pack --silent "$spec" | tail -n 1)"
      mv "$STORE/npm/$packed" "$file"
    fi
    cp "$file" "$context/npm/${spec%@*}.tgz"
  done <"$recipe/npm-packages"
}

# The loopback registry that mints digest references, started on first need.
REGISTRY_PID=""
start_registry() {
  [ -n "$REGISTRY_PID" ] && return
  mkdir -p "$STORE/registry"
  cat >"$STORE/registry/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STORE/registry/data
http:
  addr: $REGISTRY
CONFIG
  docker-registry serve "$STORE/registry/config.yml" >"$STORE/registry/registry.log" 2>&1 &
  REGISTRY_PID=$!
  trap 'kill "$REGISTRY_PID" 2>/dev/null || true' EXIT
  if ! kit wait-for-http "http://$REGISTRY/v2/" "$REGISTRY_PID" 10; then
    say "docker-registry did not answer on $REGISTRY (STANDIN_REGISTRY moves it); the end of $STORE/registry/registry.log:"
    tail -n 20 "$STORE/registry/registry.log" >&2
    exit 1
  fi
}

# REFS[name]: the stand-in's reference pinned by digest, pushing it once to mint the digest.
publish() {
  local name="$1" tag="$2" repository="$REGISTRY/container-labs-standin/$1"
  [[ " ${STANDINS[*]} " == *" $name "* ]] || return 0 # only what the program references
  local digest
  digest="$("$DOCKER" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" | grep -F "$repository@" | head -n 1 || true)"
  if [ -z "$digest" ]; then
    start_registry
    "$DOCKER" tag "$tag" "$repository:${tag##*:}"
    "$DOCKER" push "$repository:${tag##*:}" >/dev/null
    digest="$("$DOCKER" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" | grep -F "$repository@" | head -n 1)"
  fi
  REFS[$name]="$digest"
}

build_standin() {
  local name="$1" recipe="$HERE/$1"
  local from_ref="${BASES[${BUILT_ON[$name]}]}"
  local hash tag version_args=()
  [ -n "${VERSION_ARGS[$name]:-}" ] && version_args=("${VERSION_ARGS[$name]}")
  hash="$(hash_of "$recipe" -- "$from_ref" "${version_args[@]}")"
  tag="container-labs-standin/$name:$hash"
  BASES[$name]="$tag"
  if image_id "$tag" >/dev/null; then
    say "$name ($tag): cached"
    publish "$name" "$tag"
    return
  fi
  say "$name: building $tag, standing in for ${REPLACES[$name]}"
  local context started=$SECONDS
  context="$(mktemp -d)"
  cp -r "$recipe/." "$context/"
  pack_npm_packages "$recipe" "$context"
  local secret=()
  [ -n "$EXTRA_CA_FILE" ] && [ -f "$EXTRA_CA_FILE" ] && secret=(--secret "id=extra_ca,src=$EXTRA_CA_FILE")
  if ! "$DOCKER" build --progress=plain \
    --build-arg "BASE=$from_ref" \
    "${version_args[@]/#/--build-arg=}" \
    "${secret[@]}" \
    --label "container-labs.standin=$name" \
    --label "container-labs.standin.recipe=$hash" \
    --label "container-labs.standin.replaces=${REPLACES[$name]}" \
    --tag "$tag" "$context" >"$STORE/$name.build.log" 2>&1; then
    say "$name: build failed; the end of $STORE/$name.build.log:"
    tail -n 30 "$STORE/$name.build.log" >&2
    rm -rf "$context"
    exit 1
  fi
  rm -rf "$context"
  say "$name: built in $((SECONDS - started))s"
  publish "$name" "$tag"
}

# Writes {"name": "<value>", ...} for the names given, from the associative array named $2.
write_json() {
  local file="$1" json="{" separator="" name
  local -n values="$2"
  shift 2
  for name in "$@"; do
    json+="$separator\"$name\": \"${values[$name]}\""
    separator=", "
  done
  json+="}"
  echo "$json" >"$file.tmp"
  mv "$file.tmp" "$file"
  say "wrote $file"
}

# shellcheck disable=SC2034 # REFS is read through write_json's nameref
declare -A REFS BASES
import_debootstrap
for name in "${ORDER[@]}"; do
  build_standin "$name"
done
write_json "$STORE/refs.json" REFS "${STANDINS[@]}"
write_json "$STORE/fixtures.json" BASES "${FIXTURES[@]}"
