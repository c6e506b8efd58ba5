#!/usr/bin/env bash
# The Pulumi toolchain built from the Go module proxy, for machines that cannot
# download Pulumi's release binaries (the tests' machines). Anyone with the
# Pulumi CLI installed never needs this script.
#
#   scripts/pulumi-toolchain.sh [build]        build what is missing or out of date
#   eval "$(scripts/pulumi-toolchain.sh env)"  put the toolchain first on PATH
#
# Builds, into <the project's cache>/pulumi-toolchain/bin (packages/test-kit/src/cache.ts):
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
# The recipes are scripts/pulumi-toolchain/recipes.sh; build.ts runs them in order.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh" run scripts/pulumi-toolchain/main.ts "$@"
