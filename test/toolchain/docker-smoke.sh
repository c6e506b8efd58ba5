#!/usr/bin/env bash
# The toolchain's pulumi-resource-docker (our bridge of kreuzwerker's provider) on
# a real engine: test/toolchain/docker-program creates a Network, a Volume, a
# RemoteImage of the redis stand-in, a Tag and three containers given every input
# components/platform/service.ts sets; then what Docker made is inspected, and
# the stack goes through preview --expect-no-changes, a replacement, refresh and
# destroy. Every name carries a prefix of this run, so it shares an engine safely;
# the stand-in image is never removed.
#
#   eval "$(scripts/test-engine.sh env)" && test/toolchain/docker-smoke.sh   (about a minute)
#
# Needs: DOCKER_HOST naming the engine, the redis stand-in in it
# (scripts/standins/build.sh), the toolchain built (scripts/pulumi-toolchain.sh)
# and the project's node_modules. test/toolchain/smoke.sh runs it when DOCKER_HOST is set.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STANDIN_REFS="$("$REPO_ROOT/scripts/node-runtime.sh" run packages/test-kit/bin/cache-dir.ts)/standins/refs.json"

# shellcheck source=test/toolchain/report.sh disable=SC1091
. "$REPO_ROOT/test/toolchain/report.sh" docker-smoke

[ -n "${DOCKER_HOST:-}" ] || fail "DOCKER_HOST is not set: eval \"\$(scripts/test-engine.sh env)\" first"
docker version --format '{{.Server.Version}}' >/dev/null || fail "no engine answers at $DOCKER_HOST"
[ -s "$STANDIN_REFS" ] || fail "$STANDIN_REFS is missing: run scripts/standins/build.sh"
redis_ref=$(node -p 'require(process.argv[1]).redis' "$STANDIN_REFS")
docker image inspect "$redis_ref" >/dev/null || fail "the redis stand-in $redis_ref is not in the engine: run scripts/standins/build.sh"

eval "$("$REPO_ROOT/scripts/pulumi-toolchain.sh" env)"
[ -x "$(dirname "$(command -v pulumi)")/pulumi-resource-docker" ] \
  || fail "the toolchain has no pulumi-resource-docker: run scripts/pulumi-toolchain.sh"

work=$(mktemp -d)
prefix="toolchain-smoke-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
tag_target="container-labs-smoke/$prefix:tagged"
export PULUMI_HOME="$work/home"
export PULUMI_CONFIG_PASSPHRASE="docker smoke test"
export PULUMI_BACKEND_URL="file://$work/state"
mkdir -p "$work/state"

# Whatever a failed run left: the stack's resources, then anything named with this
# run's prefix (the Tag resource never removes its tag: see the bridge's README).
cleanup() {
  if [ -d "$work/program" ]; then
    (cd "$work/program" && pulumi destroy --yes --non-interactive --skip-preview >/dev/null 2>&1) || true
  fi
  docker ps -aq --filter "name=^$prefix-" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network ls -q --filter "name=^$prefix-" | xargs -r docker network rm >/dev/null 2>&1 || true
  docker volume ls -q --filter "name=^$prefix-" | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker image inspect "$tag_target" >/dev/null 2>&1 && docker rmi "$tag_target" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A JSON value read from `docker inspect <object>`: `expression` over `c`, its object.
inspected() {
  docker inspect "$1" | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const read = new Function("c", "return " + process.argv[1]);
      console.log(JSON.stringify(read(JSON.parse(text)[0])));
    });' "$2"
}

output() { pulumi stack output --json "$1"; }

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Redis's answer to PING on a published port: the port reaches the container.
redis_ping() {
  node -e '
    const socket = require("net").connect(Number(process.argv[1]), "127.0.0.1", () => socket.write("PING\r\n"));
    socket.setTimeout(5000, () => { console.log("timeout"); socket.destroy(); });
    socket.on("data", (data) => { console.log(data.toString().trim()); socket.end(); });
    socket.on("error", (error) => console.log(error.code));' "$1"
}

cp -r "$REPO_ROOT/test/toolchain/docker-program" "$work/program"
ln -s "$REPO_ROOT/node_modules" "$work/program/node_modules"
cd "$work/program"
port=$(free_port)
pulumi stack init smoke --non-interactive >/dev/null
pulumi config set host "$DOCKER_HOST"
pulumi config set image "$redis_ref"
pulumi config set prefix "$prefix"
pulumi config set port "$port"
pulumi config set generation 1

step "pulumi up ($prefix, port $port)"
pulumi up --yes --non-interactive --skip-preview

server="$prefix-cache"
expect_equal "the job's logs (redis-cli ping to the alias cache)" "$(output jobLogs)" '"PONG\n"'
expect_equal "PING on 127.0.0.1:$port" "$(redis_ping "$port")" "+PONG"
expect_equal "server health" "$(inspected "$server" c.State.Health.Status)" '"healthy"'
expect_equal "server entrypoint and command" "$(inspected "$server" '[c.Config.Entrypoint, c.Config.Cmd]')" \
  '[["redis-server"],["--protected-mode","no","--appendonly","no"]]'
expect_equal "server env" "$(inspected "$server" 'c.Config.Env.filter((e) => /^(GENERATION|REDIS_ROLE)=/.test(e)).sort()')" \
  '["GENERATION=1","REDIS_ROLE=cache"]'
expect_equal "server labels" "$(inspected "$server" 'c.Config.Labels["container-labs.lab"]')" '"toolchain-smoke"'
expect_equal "server user and groups" "$(inspected "$server" '[c.Config.User, c.HostConfig.GroupAdd]')" '["999:999",["999"]]'
expect_equal "server network aliases" "$(inspected "$server" "c.NetworkSettings.Networks['$prefix-net'].Aliases.includes('cache')")" true
expect_equal "server published port" "$(inspected "$server" 'c.HostConfig.PortBindings["6379/tcp"]')" \
  "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]"
expect_equal "server volume" "$(inspected "$server" 'c.Mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW])')" \
  "[[\"volume\",\"$prefix-data\",\"/data\",true]]"
expect_equal "server healthcheck" "$(inspected "$server" 'c.Config.Healthcheck')" \
  '{"Test":["CMD","redis-cli","ping"],"Interval":2000000000,"Timeout":5000000000,"StartPeriod":10000000000,"Retries":3}'
expect_equal "server hardening" \
  "$(inspected "$server" '[c.HostConfig.CapDrop, c.HostConfig.SecurityOpt, c.HostConfig.ReadonlyRootfs, c.HostConfig.Tmpfs]')" \
  '[["ALL"],["no-new-privileges:true"],true,{"/tmp":"rw,noexec,nosuid,size=64m"}]'
expect_equal "server limits (memory MB, CPU shares)" \
  "$(inspected "$server" '[c.HostConfig.Memory / 1048576, c.HostConfig.CpuShares]')" '[256,512]'
# The cause of memorySwap's perpetual diff (docker-program/index.ts): the daemon's own swap limit.
expect_equal "server swap limit, MB (the daemon's: twice the memory)" "$(inspected "$server" 'c.HostConfig.MemorySwap / 1048576')" 512
expect_equal "isolated swap limit, MB (memorySwap = memory)" "$(inspected "$prefix-isolated" 'c.HostConfig.MemorySwap / 1048576')" 256
expect_equal "server restart policy and logging" "$(inspected "$server" '[c.HostConfig.RestartPolicy.Name, c.HostConfig.LogConfig]')" \
  '["unless-stopped",{"Type":"json-file","Config":{"max-file":"3","max-size":"10m"}}]'
expect_equal "isolated network mode" "$(inspected "$prefix-isolated" c.HostConfig.NetworkMode)" '"none"'
expect_equal "isolated healthcheck" "$(inspected "$prefix-isolated" c.Config.Healthcheck.Test)" '["NONE"]'
expect_equal "job exit code and restart policy" "$(inspected "$prefix-job" '[c.State.ExitCode, c.HostConfig.RestartPolicy.Name]')" '[0,"no"]'
expect_equal "network driver and label" \
  "$(inspected "$prefix-net" '[c.Driver, c.Labels["container-labs.service"]]')" '["bridge","cache"]'
expect_equal "volume label" "$(docker volume inspect "$prefix-data" --format '{{index .Labels "container-labs.lab"}}')" "toolchain-smoke"
expect_equal "tagged image" "$(inspected "$tag_target" c.Id)" "$(output imageId)"

step "pulumi preview --expect-no-changes"
pulumi preview --expect-no-changes --non-interactive --diff

step "pulumi up with a changed environment: the server is replaced"
first_id=$(output serverId)
pulumi config set generation 2
pulumi up --yes --non-interactive --skip-preview
[ "$(output serverId)" != "$first_id" ] || fail "the server kept its container ($first_id) after its environment changed"
step "server replaced: $first_id -> $(output serverId)"
expect_equal "replaced server env" "$(inspected "$server" 'c.Config.Env.filter((e) => e.startsWith("GENERATION="))')" '["GENERATION=2"]'
expect_equal "replaced server health" "$(inspected "$server" c.State.Health.Status)" '"healthy"'

step "pulumi refresh, then preview --expect-no-changes"
pulumi refresh --yes --non-interactive --skip-preview
pulumi preview --expect-no-changes --non-interactive --diff

step "pulumi destroy"
pulumi destroy --yes --non-interactive --skip-preview
remaining=$(pulumi stack export | node -e '
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => console.log((JSON.parse(text).deployment.resources || []).length));')
expect_equal "resources left in the stack" "$remaining" 0
expect_equal "containers, networks and volumes left in the engine" \
  "$({ docker ps -aq --filter "name=^$prefix-"; docker network ls -q --filter "name=^$prefix-"; docker volume ls -q --filter "name=^$prefix-"; } | wc -l)" 0
docker image inspect "$redis_ref" >/dev/null || fail "destroy removed the stand-in image $redis_ref (keepLocally)"
step "the stand-in image is still in the engine"

if [ -d "$PULUMI_HOME/plugins" ] && [ -n "$(ls -A "$PULUMI_HOME/plugins")" ]; then
  fail "the CLI installed plugins into $PULUMI_HOME/plugins: $(ls "$PULUMI_HOME/plugins")"
fi
echo "docker-smoke: passed"
