#!/usr/bin/env bash
# The Pulumi toolchain built from the Go module proxy, for machines that cannot
# download Pulumi's release binaries (the tests' machines). Anyone with the
# Pulumi CLI installed never needs this script.
#
#   scripts/pulumi-toolchain.sh [build]        build what is missing or out of date
#   eval "$(scripts/pulumi-toolchain.sh env)"  put the toolchain first on PATH
#
# Builds, into ${CONTAINER_LABS_CACHE:-$XDG_CACHE_HOME/container-labs}/pulumi-toolchain/bin:
#   pulumi                         the CLI, at the version of @pulumi/pulumi in package-lock.json
#                                  (or the nearest version above it that the proxy serves)
#   pulumi-language-nodejs         our own language host (scripts/pulumi-language-nodejs/main.go:
#                                  Pulumi's cannot be had from the proxy; the file says why)
#   pulumi-resource-pulumi-nodejs  the dynamic-provider plugin, run from the program's @pulumi/pulumi
#   pulumi-resource-<provider>     docker-build, docker and tls, each at the version its npm SDK
#                                  in package-lock.json asks for (docker-build with two stand-ins
#                                  from scripts/pulumi-stand-ins; docker is our own bridge of
#                                  kreuzwerker's provider, scripts/pulumi-docker-bridge; tls our
#                                  own bridge of hashicorp's, scripts/pulumi-tls-bridge; see
#                                  their recipes)
#   docker-buildx                  the buildx CLI plugin pulumi-resource-docker-build drives
# Go's module and build caches live under the same directory, so a second run
# rebuilds only a component whose version or recipe changed (one stamp each).
# A component that fails is reported with its step and the tail of Go's output;
# the others are still built, and the script exits 1.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LANGUAGE_HOST_SOURCE="$REPO_ROOT/scripts/pulumi-language-nodejs/main.go"
STAND_INS="$REPO_ROOT/scripts/pulumi-stand-ins"
DOCKER_BRIDGE="$REPO_ROOT/scripts/pulumi-docker-bridge"
TLS_BRIDGE="$REPO_ROOT/scripts/pulumi-tls-bridge"
TOOLCHAIN=${CONTAINER_LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-labs}/pulumi-toolchain
BIN="$TOOLCHAIN/bin"
BUILDS="$TOOLCHAIN/build"
STAMPS="$TOOLCHAIN/stamps"
LOGS="$TOOLCHAIN/logs"
RESOLVED="$TOOLCHAIN/resolved"
DOCKER_CONFIG_DIR="$TOOLCHAIN/docker-config"
DOCKER_PLUGINS="$DOCKER_CONFIG_DIR/cli-plugins"

export GOPATH="$TOOLCHAIN/go"
export GOMODCACHE="$GOPATH/mod"
export GOCACHE="$GOPATH/cache"
# Build directories are copies of module zips, not checkouts: no VCS stamping.
export GOFLAGS="-buildvcs=false -trimpath"

failures=()

say() { echo "toolchain: $*"; }

usage() {
  sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- helpers shared by every recipe ----------------------------------------

# The version of an npm package in package-lock.json: the SDK whose plugin we build.
sdk_version() {
  node -e '
    const lock = require(process.argv[1]);
    const entry = lock.packages["node_modules/" + process.argv[2]];
    if (!entry) { console.error(process.argv[2] + " is not in " + process.argv[1]); process.exit(1); }
    console.log(entry.version);' "$REPO_ROOT/package-lock.json" "$1"
}

# One field of a JSON document (e.g. `go mod download -json` output) read on stdin.
json_field() {
  node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const value = process.argv[1].split(".").reduce((o, key) => (o == null ? o : o[key]), JSON.parse(text));
      if (value != null) console.log(Array.isArray(value) ? value.join("\n") : value);
    });' "$1"
}

# `go mod download -json module@version` into the shared module cache; prints the
# module's directory, or fails with Go's error in the component's log.
download_module() {
  local log=$1 module_at_version=$2 output dir
  output=$(go mod download -json "$module_at_version" 2>>"$log") || true
  echo "$output" >>"$log"
  dir=$(json_field Dir <<<"$output")
  if [ -z "$dir" ] || [ -n "$(json_field Error <<<"$output")" ]; then
    echo "go mod download $module_at_version: $(json_field Error <<<"$output")" >>"$log"
    return 1
  fi
  echo "$dir"
}

# Modules whose go.mod points at sibling folders (`replace ... => ../sdk`) cannot be
# built by `go install`: download each and copy it to the folder the replace
# directives expect. Arguments: the build directory, then module@version=folder
# pairs. A folder already laid out from the same module version is kept.
lay_out_modules() {
  local log=$1 dir=$2 pair module_at_version folder source
  shift 2
  mkdir -p "$dir"
  for pair in "$@"; do
    module_at_version=${pair%%=*}
    folder=${pair#*=}
    if [ "$(cat "$dir/$folder/.laid-out-from" 2>/dev/null)" = "$module_at_version" ]; then
      continue
    fi
    source=$(download_module "$log" "$module_at_version") || return 1
    rm -rf "${dir:?}/$folder"
    cp -r "$source" "$dir/$folder"
    # The module cache is read-only; the copy is ours to build in.
    chmod -R u+w "$dir/$folder"
    echo "$module_at_version" >"$dir/$folder/.laid-out-from"
  done
}

# The first version of `module` at or above `wanted` that the proxy serves whole
# (the proxy here may list a version's go.mod but refuse its zip). The answer is
# kept, so a warm run asks the proxy nothing and works offline.
nearest_served_version() {
  local log=$1 module=$2 wanted=$3 candidate resolved
  resolved="$RESOLVED/${module//\//_}@$wanted"
  if [ -s "$resolved" ]; then
    cat "$resolved"
    return 0
  fi
  if download_module "$log" "$module@v$wanted" >/dev/null; then
    echo "$wanted" | tee "$resolved"
    return 0
  fi
  for candidate in $(go list -m -versions -json "$module" 2>>"$log" | json_field Versions | sed 's/^v//' | sort -V); do
    if [ "$(printf '%s\n%s\n' "$wanted" "$candidate" | sort -V | head -n1)" = "$wanted" ] \
      && [[ "$candidate" != *-* ]] \
      && download_module "$log" "$module@v$candidate" >/dev/null; then
      echo "$candidate" | tee "$resolved"
      return 0
    fi
  done
  echo "no version of $module at or above $wanted is served" >>"$log"
  return 1
}

# A provider module with no tags of its own (its repository tags only the root):
# the proxy knows it only by the pseudo-version of the commit the root tag names.
pseudo_version_at_tag() {
  local log=$1 repository_module=$2 tag=$3 module=$4 output hash info time="" major
  output=$(go mod download -json "$repository_module@$tag" 2>>"$log") || true
  echo "$output" >>"$log"
  hash=$(json_field Origin.Hash <<<"$output")
  info=$(json_field Info <<<"$output")
  [ -n "$info" ] && time=$(json_field Time <"$info")
  if [ -z "$hash" ] || [ -z "$time" ]; then
    echo "cannot resolve the commit of $repository_module@$tag: $(json_field Error <<<"$output")" >>"$log"
    return 1
  fi
  major=0
  [[ "$module" =~ /v([0-9]+)$ ]] && major=${BASH_REMATCH[1]}
  echo "v$major.0.0-$(date -u -d "$time" +%Y%m%d%H%M%S)-${hash:0:12}"
}

# go build of `package` in the module at `dir` into $BIN/`binary`; any further
# arguments are flags for go build.
go_build() {
  local log=$1 dir=$2 package=$3 binary=$4 ldflags=$5
  shift 5
  (cd "$dir" && go build "$@" -ldflags "$ldflags" -o "$BIN/$binary.tmp" "$package") >>"$log" 2>&1 || return 1
  mv "$BIN/$binary.tmp" "$BIN/$binary"
}

# The stamp of a component: what was built and how. A recipe's own text (and the
# files it compiles) is part of it, so editing a recipe rebuilds that component.
recipe_stamp() {
  local recipe=$1 version=$2
  shift 2
  { echo "$version"; go env GOVERSION; declare -f "$recipe"; cat "$@" 2>/dev/null; } | sha256sum | cut -d' ' -f1
}

up_to_date() {
  local binary=$1 stamp=$2
  [ -x "$BIN/$binary" ] && [ "$(cat "$STAMPS/$binary" 2>/dev/null)" = "$stamp" ]
}

# Runs one recipe with progress, timing and the failure report; never aborts the
# script, so every other component is still built. A recipe that builds prints
# "building ..." (no newline) and writes its stamp; this ends the line.
building_line_open=false
component() {
  local binary=$1 recipe=$2 log="$LOGS/$1.log" step_file="$LOGS/$1.step" started elapsed
  started=$(date +%s)
  : >"$log"
  : >"$step_file"
  if "$recipe" "$binary" "$log" "$step_file"; then
    if $building_line_open; then
      echo " done in $(($(date +%s) - started)) s"
      building_line_open=false
    fi
    return 0
  fi
  elapsed=$(($(date +%s) - started))
  if $building_line_open; then
    echo " FAILED"
    building_line_open=false
  fi
  say "FAILED $binary at step '$(cat "$step_file")' after $elapsed s; last lines of $log:"
  tail -n 15 "$log" | sed 's/^/    /'
  failures+=("$binary: $(cat "$step_file")")
}

# Recipes call step before each part, so a failure names the part that failed.
step() { echo "$2" >"$1"; }

# Starts the progress line "building <binary> <version>" unless the stamp matches;
# returns 1 when the component is up to date.
needs_build() {
  local binary=$1 version=$2 note=$3 stamp=$4
  if up_to_date "$binary" "$stamp"; then
    say "$binary $version$note: up to date"
    return 1
  fi
  starts_building "$binary $version$note"
}

starts_building() {
  printf 'toolchain: building %s ...' "$1"
  building_line_open=true
}

# Explains a version that differs from the one the npm SDK asks for.
version_note() {
  local package=$1 wanted=$2 built=$3
  [ "$wanted" = "$built" ] && return 0
  echo " (for $package $wanted: the Go module proxy does not serve $wanted, $built is the nearest version above it)"
}

# --- one recipe per component --------------------------------------------------

# The CLI's version, shared by the language host, which is built in the same tree.
cli_version=""

build_cli() {
  local binary=$1 log=$2 step_file=$3 wanted stamp dir="$BUILDS/pulumi"
  step "$step_file" "resolve version"
  wanted=$(sdk_version @pulumi/pulumi 2>>"$log") || return 1
  cli_version=$(nearest_served_version "$log" github.com/pulumi/pulumi/pkg/v3 "$wanted") || return 1
  stamp=$(recipe_stamp build_cli "$cli_version")
  needs_build "$binary" "$cli_version" "$(version_note @pulumi/pulumi "$wanted" "$cli_version")" "$stamp" || return 0
  # pkg/go.mod replaces sdk/v3 => ../sdk: the two modules side by side, as in Pulumi's repository.
  step "$step_file" "download and lay out pkg/v3 and sdk/v3"
  lay_out_modules "$log" "$dir" \
    "github.com/pulumi/pulumi/pkg/v3@v$cli_version=pkg" "github.com/pulumi/pulumi/sdk/v3@v$cli_version=sdk" || return 1
  step "$step_file" "go build ./cmd/pulumi"
  go_build "$log" "$dir/pkg" ./cmd/pulumi "$binary" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$cli_version" || return 1
  echo "$stamp" >"$STAMPS/$binary"
}

build_language_host() {
  local binary=$1 log=$2 step_file=$3 stamp dir="$BUILDS/pulumi"
  step "$step_file" "resolve version"
  [ -n "$cli_version" ] || { echo "the CLI's version is unknown: its recipe failed" >>"$log"; return 1; }
  stamp=$(recipe_stamp build_language_host "$cli_version" "$LANGUAGE_HOST_SOURCE")
  needs_build "$binary" "$cli_version" " (ours, built in sdk/v3 $cli_version)" "$stamp" || return 0
  step "$step_file" "download and lay out sdk/v3"
  lay_out_modules "$log" "$dir" "github.com/pulumi/pulumi/sdk/v3@v$cli_version=sdk" || return 1
  # Compiled as a package of the sdk module: the same dependencies and go.sum as the CLI.
  step "$step_file" "go build scripts/pulumi-language-nodejs"
  mkdir -p "$dir/sdk/cmd/container-labs-language-nodejs"
  cp "$LANGUAGE_HOST_SOURCE" "$dir/sdk/cmd/container-labs-language-nodejs/main.go"
  go_build "$log" "$dir/sdk" ./cmd/container-labs-language-nodejs "$binary" "-X main.version=$cli_version" || return 1
  echo "$stamp" >"$STAMPS/$binary"
}

# Pulumi's release ships this one-line launcher beside the CLI; the npm package has
# the real code (cmd/dynamic-provider), which it must run from the program's own
# @pulumi/pulumi, so the launcher resolves it from the working directory.
build_dynamic_provider_launcher() {
  local binary=$1 log=$2 step_file=$3 stamp
  stamp=$(recipe_stamp build_dynamic_provider_launcher "-")
  up_to_date "$binary" "$stamp" && { say "$binary: up to date"; return 0; }
  starts_building "$binary (launcher)"
  step "$step_file" "write launcher"
  cat >"$BIN/$binary" <<'LAUNCHER'
#!/bin/sh
# Written by scripts/pulumi-toolchain.sh: runs the dynamic provider of the program's @pulumi/pulumi.
script=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")') || exit 1
exec node "$script" "$@"
LAUNCHER
  chmod +x "$BIN/$binary"
  echo "$stamp" >"$STAMPS/$binary"
}

# pulumi-docker-build is a tagged module, but it imports the .NET and Java code
# generators (only to describe those languages' SDKs in its schema), and the proxy
# serves neither: scripts/pulumi-stand-ins declares the two types it uses, and
# replace directives point the module at them.
build_docker_build() {
  local binary=$1 log=$2 step_file=$3 wanted version stamp stand_in_files
  local module=github.com/pulumi/pulumi-docker-build dir="$BUILDS/docker-build"
  step "$step_file" "resolve version"
  wanted=$(sdk_version @pulumi/docker-build 2>>"$log") || return 1
  version=$(nearest_served_version "$log" "$module" "$wanted") || return 1
  mapfile -t stand_in_files < <(find "$STAND_INS" -type f | sort)
  stamp=$(recipe_stamp build_docker_build "$version" "${stand_in_files[@]}")
  needs_build "$binary" "$version" "$(version_note @pulumi/docker-build "$wanted" "$version")" "$stamp" || return 0
  step "$step_file" "download $module@v$version"
  lay_out_modules "$log" "$dir" "$module@v$version=module" || return 1
  step "$step_file" "lay out the code generator stand-ins"
  rm -rf "$dir/stand-ins"
  cp -r "$STAND_INS" "$dir/stand-ins"
  (cd "$dir/module" && go mod edit \
    -replace github.com/pulumi/pulumi-java=../stand-ins/pulumi-java \
    -replace github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=../stand-ins/pulumi-language-dotnet) \
    >>"$log" 2>&1 || return 1
  step "$step_file" "go build ./provider/cmd/$binary"
  # -mod=mod: the stand-ins drop the real generators' requirements from the module graph.
  go_build "$log" "$dir/module" "./provider/cmd/$binary" "$binary" "-X $module/provider.Version=$version" -mod=mod \
    || return 1
  echo "$stamp" >"$STAMPS/$binary"
}

# docker-build on every target runs `docker buildx` (exec mode, see
# components/platform/builder.ts): the buildx CLI plugin, at the version the
# docker-build provider itself embeds, in a Docker config directory of its own
# that `env` points DOCKER_CONFIG at.
build_buildx() {
  local binary=$1 log=$2 step_file=$3 version stamp
  step "$step_file" "read the buildx version of docker-build's go.mod"
  version=$(awk '$1 == "github.com/docker/buildx" { print $2 }' "$BUILDS/docker-build/module/go.mod" 2>>"$log")
  [ -n "$version" ] || { echo "no github.com/docker/buildx in $BUILDS/docker-build/module/go.mod: build docker-build first" >>"$log"; return 1; }
  stamp=$(recipe_stamp build_buildx "$version")
  needs_build "$binary" "$version" "" "$stamp" || return 0
  step "$step_file" "go install github.com/docker/buildx/cmd/buildx@$version"
  mkdir -p "$DOCKER_PLUGINS"
  GOBIN="$BUILDS/buildx" go install "github.com/docker/buildx/cmd/buildx@$version" >>"$log" 2>&1 || return 1
  mv "$BUILDS/buildx/buildx" "$DOCKER_PLUGINS/docker-buildx"
  # up_to_date looks in $BIN: a link there records that the plugin is built.
  ln -sf "$DOCKER_PLUGINS/docker-buildx" "$BIN/$binary"
  echo "$stamp" >"$STAMPS/$binary"
}

# The proxy serves no version of pulumi-docker, but its resources other than Image
# bridge kreuzwerker's Terraform provider, which it does serve: at the newest
# commit of its main branch only (its tags are refused), pinned here so that a
# build is reproducible and matches the bridge's go.sum. Pulumi's fork of the
# Terraform plugin SDK is the one the bridge's own go.mod names.
DOCKER_UPSTREAM=github.com/kreuzwerker/terraform-provider-docker@v0.0.0-20260916201441-96d331c98ff4
DOCKER_PLUGIN_SDK=github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20250923233607-7f1981c8674a
# kreuzwerker's build tag that leaves out docker_compose, a plugin-framework
# resource the SDK does not have (and a large part of the compile).
DOCKER_BUILD_TAGS=no_compose

# Our bridge (scripts/pulumi-docker-bridge/bridge) builds beside two laid-out
# modules, as its go.mod's replace directives expect: kreuzwerker's provider as
# upstream/, with our shim package inside it (the provider is under internal/),
# and the plugin SDK fork as terraform-plugin-sdk/, with the one method of ours
# it lacks. Its tfgen writes the schema, which the plugin embeds.
build_docker() {
  local binary=$1 log=$2 step_file=$3 version stamp bridge_files dir="$BUILDS/docker"
  step "$step_file" "resolve version"
  version=$(sdk_version @pulumi/docker 2>>"$log") || return 1
  mapfile -t bridge_files < <(find "$DOCKER_BRIDGE" -type f | sort)
  stamp=$(recipe_stamp build_docker "$version $DOCKER_UPSTREAM $DOCKER_PLUGIN_SDK $DOCKER_BUILD_TAGS" "${bridge_files[@]}")
  needs_build "$binary" "$version" " (a bridge of kreuzwerker's provider ${DOCKER_UPSTREAM#*@})" "$stamp" || return 0
  step "$step_file" "download and lay out $DOCKER_UPSTREAM and $DOCKER_PLUGIN_SDK"
  # Laid out anew: our files are added into the copies.
  rm -rf "${dir:?}"
  lay_out_modules "$log" "$dir" "$DOCKER_UPSTREAM=upstream" "$DOCKER_PLUGIN_SDK=terraform-plugin-sdk" || return 1
  step "$step_file" "add the shim, the plugin SDK method and the bridge"
  mkdir -p "$dir/upstream/shim"
  cp "$DOCKER_BRIDGE/upstream-shim/shim.go" "$dir/upstream/shim/"
  cp -r "$DOCKER_BRIDGE/plugin-sdk-patch/." "$dir/terraform-plugin-sdk/"
  cp -r "$DOCKER_BRIDGE/bridge" "$dir/bridge"
  step "$step_file" "generate the schema (go run ./cmd/pulumi-tfgen-docker schema)"
  # --skip-examples: converting the docs' HCL examples needs `pulumi convert` and a
  # converter plugin; the descriptions are kept.
  (cd "$dir/bridge" && go run -tags "$DOCKER_BUILD_TAGS" -ldflags "-X main.version=$version" ./cmd/pulumi-tfgen-docker \
    schema --skip-examples --out cmd/pulumi-resource-docker) >>"$log" 2>&1 || return 1
  step "$step_file" "go build ./cmd/$binary"
  go_build "$log" "$dir/bridge" "./cmd/$binary" "$binary" "-X main.version=$version" -tags "$DOCKER_BUILD_TAGS" || return 1
  echo "$stamp" >"$STAMPS/$binary"
}

# The proxy serves no version of pulumi-tls's provider module, but hashicorp's
# terraform-provider-tls is served (at commits of its main branch only), and our
# shim (scripts/pulumi-tls-bridge/shim, a module of its own whose go.mod pins the
# commit) is the one door into it. Our bridge builds beside two folders, as its
# go.mod's replace directives expect: the shim, and the plugin SDK fork with the
# Docker bridge's patch (this provider too needs terraform-plugin-go v0.31;
# plugin-sdk-patch/ says why). tfgen writes the schema and the bridge metadata,
# which the plugin embeds.
build_tls() {
  local binary=$1 log=$2 step_file=$3 version upstream stamp bridge_files dir="$BUILDS/tls"
  step "$step_file" "resolve version"
  version=$(sdk_version @pulumi/tls 2>>"$log") || return 1
  upstream=$(awk '$1 == "github.com/hashicorp/terraform-provider-tls" { print $1 "@" $2 }' "$TLS_BRIDGE/shim/go.mod")
  [ -n "$upstream" ] || { echo "no github.com/hashicorp/terraform-provider-tls in $TLS_BRIDGE/shim/go.mod" >>"$log"; return 1; }
  mapfile -t bridge_files < <(find "$TLS_BRIDGE" "$DOCKER_BRIDGE/plugin-sdk-patch" -type f | sort)
  stamp=$(recipe_stamp build_tls "$version $upstream $DOCKER_PLUGIN_SDK" "${bridge_files[@]}")
  needs_build "$binary" "$version" " (a bridge of hashicorp's provider ${upstream#*@})" "$stamp" || return 0
  step "$step_file" "download $upstream and lay out $DOCKER_PLUGIN_SDK"
  download_module "$log" "$upstream" >/dev/null || return 1
  # Laid out anew: our files are added into the copy.
  rm -rf "${dir:?}"
  lay_out_modules "$log" "$dir" "$DOCKER_PLUGIN_SDK=terraform-plugin-sdk" || return 1
  step "$step_file" "add the shim, the plugin SDK method and the bridge"
  cp -r "$TLS_BRIDGE/shim" "$dir/shim"
  cp -r "$DOCKER_BRIDGE/plugin-sdk-patch/." "$dir/terraform-plugin-sdk/"
  cp -r "$TLS_BRIDGE/bridge" "$dir/bridge"
  step "$step_file" "generate the schema (go run ./cmd/pulumi-tfgen-tls schema)"
  # --skip-examples: converting the docs' HCL examples needs `pulumi convert` and a
  # converter plugin; the descriptions are kept.
  (cd "$dir/bridge" && go run -ldflags "-X main.version=$version" ./cmd/pulumi-tfgen-tls \
    schema --skip-examples --out cmd/pulumi-resource-tls) >>"$log" 2>&1 || return 1
  step "$step_file" "go build ./cmd/$binary"
  go_build "$log" "$dir/bridge" "./cmd/$binary" "$binary" "-X main.version=$version" || return 1
  echo "$stamp" >"$STAMPS/$binary"
}

# --- subcommands -----------------------------------------------------------------

build() {
  command -v go >/dev/null || { say "go is not on PATH: install Go 1.26 or newer"; exit 1; }
  command -v node >/dev/null || { say "node is not on PATH: install Node.js 24 or newer (scripts/node-runtime.sh)"; exit 1; }
  mkdir -p "$BIN" "$BUILDS" "$STAMPS" "$LOGS" "$RESOLVED"
  local started
  started=$(date +%s)
  say "cache $TOOLCHAIN ($(go env GOVERSION))"
  component pulumi build_cli
  component pulumi-language-nodejs build_language_host
  component pulumi-resource-pulumi-nodejs build_dynamic_provider_launcher
  component pulumi-resource-docker-build build_docker_build
  component docker-buildx build_buildx
  component pulumi-resource-docker build_docker
  component pulumi-resource-tls build_tls
  say "finished in $(($(date +%s) - started)) s; binaries in $BIN"
  if [ "${#failures[@]}" -gt 0 ]; then
    say "not built:"
    printf '    %s\n' "${failures[@]}"
    exit 1
  fi
}

# The lines a caller evals: the toolchain first on PATH, plugins found there (ambient
# plugins are used whatever version is asked for), and no download of any kind.
print_env() {
  echo "export PATH=$(printf %q "$BIN"):\"\$PATH\""
  echo "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"
  echo "export PULUMI_SKIP_UPDATE_CHECK=true"
  echo "unset PULUMI_IGNORE_AMBIENT_PLUGINS"
  echo "export DOCKER_CONFIG=$(printf %q "$DOCKER_CONFIG_DIR")"
}

case "${1:-build}" in
  build) build ;;
  env) print_env ;;
  -h | --help | help) usage ;;
  *)
    say "unknown subcommand '$1'"
    usage >&2
    exit 2
    ;;
esac
