#!/usr/bin/env bash
# Smoke check of the toolchain scripts/pulumi-toolchain.sh built: with nothing
# downloadable (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION) and a file backend in
# a temporary directory, test/toolchain/program goes through up, stack output,
# preview --expect-no-changes and destroy. (The CLI running the policy pack is
# checked by the deploy project: test/deploy/16-policy.test.ts.)
# Every provider plugin the toolchain holds must start and report the version its
# npm SDK in package-lock.json asks for; pulumi-resource-docker and -tls must also
# serve every token and property of @pulumi/docker and @pulumi/tls
# (test/toolchain/dockerSchemaContract.ts, which reads either SDK),
# and when DOCKER_HOST names an engine, test/toolchain/docker-smoke.sh runs there, alongside the rest.
# The program and its dynamic provider run on the Node.js of .node-version
# (scripts/node-runtime.sh puts it first on PATH), and say so in the outputs.
#
#   npm ci && scripts/pulumi-toolchain.sh && test/toolchain/smoke.sh   (about a minute once built,
#                                                                       three with an engine)
# The test command runs it (test/toolchain/smoke.test.ts), with DOCKER_HOST set.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

work=$(mktemp -d)
# docker-smoke.sh runs beside the checks below (its own state and names): waited for, whatever happens.
docker_smoke=""
trap '[ -z "$docker_smoke" ] || wait "$docker_smoke" || true; rm -rf "$work"' EXIT
# The CLI keeps its settings and any plugin it would install in PULUMI_HOME: a
# fresh one proves nothing comes from an earlier install.
export PULUMI_HOME="$work/home"
export PULUMI_CONFIG_PASSPHRASE="toolchain smoke test"
export PULUMI_BACKEND_URL="file://$work/state"
mkdir -p "$work/state"

# shellcheck source=test/toolchain/report.sh disable=SC1091
. "$REPO_ROOT/test/toolchain/report.sh" smoke

eval "$("$REPO_ROOT/scripts/node-runtime.sh" env)"
eval "$("$REPO_ROOT/scripts/pulumi-toolchain.sh" env)"
case "$(command -v pulumi)" in
  */pulumi-toolchain/bin/pulumi) BIN=$(dirname "$(command -v pulumi)") ;;
  *) fail "the toolchain has no pulumi (found '$(command -v pulumi)'): run scripts/pulumi-toolchain.sh first" ;;
esac

sdk_version() {
  node -p 'require(process.argv[1]).packages["node_modules/" + process.argv[2]].version' \
    "$REPO_ROOT/package-lock.json" "$1"
}

step "pulumi $(pulumi version) from $BIN"

# --- every provider plugin starts and reports its SDK's version ---------------------
declare -A sdk_of=([docker-build]=@pulumi/docker-build [docker]=@pulumi/docker [tls]=@pulumi/tls)
built_plugins=()
for name in docker-build docker tls; do
  binary="$BIN/pulumi-resource-$name"
  if [ ! -x "$binary" ]; then
    step "pulumi-resource-$name: not built (scripts/pulumi-toolchain.sh says why); its checks are skipped"
    continue
  fi
  built_plugins+=("$name")
  schema_version=$(pulumi package get-schema "$binary" | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => console.log(JSON.parse(text).version));')
  expect_equal "version of pulumi-resource-$name" "$schema_version" "$(sdk_version "${sdk_of[$name]}")"
done

# The Docker provider's real-engine checks take as long as everything else here: they run alongside.
if [[ " ${built_plugins[*]} " != *" docker "* ]]; then
  step "no pulumi-resource-docker: its real-engine checks are skipped"
elif [ -z "${DOCKER_HOST:-}" ]; then
  step "DOCKER_HOST is not set: the Docker provider's real-engine checks (test/toolchain/docker-smoke.sh) are skipped"
else
  "$REPO_ROOT/test/toolchain/docker-smoke.sh" >"$work/docker-smoke.log" 2>&1 &
  docker_smoke=$!
fi

if [[ " ${built_plugins[*]} " == *" docker "* ]]; then
  step "pulumi-resource-docker against the @pulumi/docker SDK's declarations"
  pulumi package get-schema "$BIN/pulumi-resource-docker" >"$work/docker-schema.json"
  "$REPO_ROOT/node_modules/.bin/ts-node" --transpile-only --project "$REPO_ROOT/tsconfig.json" \
    "$REPO_ROOT/test/toolchain/dockerSchemaContract.ts" "$work/docker-schema.json" \
    || fail "pulumi-resource-docker does not serve what the @pulumi/docker SDK declares (BROKEN lines above)"
fi

if [[ " ${built_plugins[*]} " == *" tls "* ]]; then
  step "pulumi-resource-tls against the @pulumi/tls SDK's declarations"
  pulumi package get-schema "$BIN/pulumi-resource-tls" >"$work/tls-schema.json"
  "$REPO_ROOT/node_modules/.bin/ts-node" --transpile-only --project "$REPO_ROOT/tsconfig.json" \
    "$REPO_ROOT/test/toolchain/dockerSchemaContract.ts" "$work/tls-schema.json" "$REPO_ROOT/node_modules/@pulumi/tls" \
    || fail "pulumi-resource-tls does not serve what the @pulumi/tls SDK declares (BROKEN lines above)"
fi

# --- the program, with the project's node_modules (nothing installed) ---------------
cp -r "$REPO_ROOT/test/toolchain/program" "$work/program"
ln -s "$REPO_ROOT/node_modules" "$work/program/node_modules"
cd "$work/program"

pulumi stack init smoke --non-interactive >/dev/null
pulumi config set name toolchain

step "pulumi up"
pulumi up --yes --non-interactive --skip-preview

outputs=$(pulumi stack output --json --show-secrets)
output() { node -e 'const v = JSON.parse(process.argv[1])[process.argv[2]]; console.log(v === undefined ? "" : v)' "$outputs" "$1"; }
expect_equal "output greeting" "$(output greeting)" "hello, toolchain"
node_version="v$(tr -d '[:space:]' <"$REPO_ROOT/.node-version")"
expect_equal "Node of the program (the language host's)" "$(output programNode)" "$node_version"
expect_equal "Node of the dynamic provider (pulumi-resource-pulumi-nodejs)" "$(output providerNode)" "$node_version"

step "pulumi preview --expect-no-changes"
pulumi preview --expect-no-changes --non-interactive

step "pulumi destroy"
pulumi destroy --yes --non-interactive --skip-preview
remaining=$(pulumi stack export | node -e '
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => console.log((JSON.parse(text).deployment.resources || []).length));')
expect_equal "resources left after destroy" "$remaining" 0
pulumi stack rm --yes smoke >/dev/null

if [ -d "$PULUMI_HOME/plugins" ] && [ -n "$(ls -A "$PULUMI_HOME/plugins")" ]; then
  fail "the CLI installed plugins into $PULUMI_HOME/plugins: $(ls "$PULUMI_HOME/plugins")"
fi
if [ -n "$docker_smoke" ]; then
  docker_smoke_status=0
  wait "$docker_smoke" || docker_smoke_status=$?
  docker_smoke=""
  cat "$work/docker-smoke.log"
  [ "$docker_smoke_status" = 0 ] || fail "test/toolchain/docker-smoke.sh failed (exit $docker_smoke_status, its output above)"
fi
echo "smoke: passed"
