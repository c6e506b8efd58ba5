#!/usr/bin/env bash
# The recipes of the Pulumi toolchain: how each component is built, once its
# version is known. scripts/pulumi-toolchain/build.ts runs one at a time, in a
# bash of its own:
#
#   bash recipes.sh RECIPE BINARY LOG STEP_FILE
#
# with the toolchain's directories (BIN, BUILDS, STAMPS, RESOLVED, DOCKER_PLUGINS)
# and Go's (GOPATH, GOMODCACHE, GOCACHE, GOFLAGS) in the environment, and the
# inputs a recipe takes from another (cli_version). What computes (package-lock.json,
# Go's JSON, which version the proxy serves, laying out modules) is helpers.ts;
# what is left here calls programs. A component's stamp holds its recipe's text
# as bash prints it (declare -f), so editing a recipe rebuilds that component,
# and only that one.
# shellcheck disable=SC2317 # every function is called by its name, "$recipe", below
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LANGUAGE_HOST_SOURCE="$REPO_ROOT/scripts/pulumi-language-nodejs/main.go"
STAND_INS="$REPO_ROOT/scripts/pulumi-stand-ins"
DOCKER_BRIDGE="$REPO_ROOT/scripts/pulumi-docker-bridge"
TLS_BRIDGE="$REPO_ROOT/scripts/pulumi-tls-bridge"

say() { echo "toolchain: $*"; }

# --- what computes: scripts/pulumi-toolchain/helpers.ts -------------------------

helper() { "$NODE" --disable-warning=MODULE_TYPELESS_PACKAGE_JSON "$REPO_ROOT/scripts/pulumi-toolchain/helpers.ts" "$@"; }

# The version of an npm package in package-lock.json: the SDK whose plugin we build.
sdk_version() { helper sdk-version "$1"; }

# The first version of `module` at or above `wanted` that the proxy serves whole;
# the answer is kept in $RESOLVED, so a warm run asks the proxy nothing.
nearest_served_version() { helper nearest-served-version "$@"; }

# Downloads module@version into the shared module cache; prints its directory.
download_module() { helper download-module "$@"; }

# Copies modules out of the module cache into the folders a build directory's
# replace directives expect: the build directory, then module@version=folder pairs.
lay_out_modules() { helper lay-out-modules "$@"; }

# --- what calls programs ----------------------------------------------------------

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

# The line is left open: build.ts ends it with the time taken, or FAILED.
starts_building() { printf 'toolchain: building %s ...' "$1"; }

# Explains a version that differs from the one the npm SDK asks for.
version_note() {
  local package=$1 wanted=$2 built=$3
  [ "$wanted" = "$built" ] && return 0
  echo " (for $package $wanted: the Go module proxy does not serve $wanted, $built is the nearest version above it)"
}

# --- one recipe per component --------------------------------------------------

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

# --- run one recipe -------------------------------------------------------------

# Only the language host takes cli_version; build.ts gives it the CLI's version.
cli_version=${cli_version:-}
recipe=$1
shift
# As the condition of an `if`, so that a failing command ends the recipe only
# where the recipe says so (`|| return 1`), as when every recipe ran in one script.
if "$recipe" "$@"; then exit 0; else exit 1; fi
