import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { bridgeNetwork, dockerdArgs, engineLayout, firewall } from "../src/privateEngine";

const REPO_ROOT = join(__dirname, "..", "..", "..");

describe("engineLayout", () => {
  it("keeps everything of the engine under <cache>/engine, and names what it makes on the machine by a hash of that directory", () => {
    const layout = engineLayout({ CONTAINER_LABS_CACHE: "/c" });
    // sha256("/c/engine"), as `printf '%s' /c/engine | sha256sum` prints it: the names engines made before stay theirs.
    const id = "c1b37a50";
    expect(layout).toEqual({
      dir: "/c/engine",
      socket: "/c/engine/docker.sock",
      pidfile: "/c/engine/dockerd.pid",
      log: "/c/engine/dockerd.log",
      lockfile: "/c/engine/lock",
      id,
      bridge: `cle-${id}`,
      bridgeCidr: `10.250.${0xc1}.1/24`,
      chain: `CONTAINER-LABS-${id}`,
      execRoot: `/tmp/cl-engine-${id}`,
      startTimeoutSeconds: 90,
    });
  });

  it("takes the bridge, its range and the start timeout from ENGINE_BRIDGE, ENGINE_BRIDGE_CIDR and ENGINE_START_TIMEOUT", () => {
    const layout = engineLayout({ CONTAINER_LABS_CACHE: "/c", ENGINE_BRIDGE: "br-test", ENGINE_BRIDGE_CIDR: "10.9.8.7/16", ENGINE_START_TIMEOUT: "5" });
    expect({ bridge: layout.bridge, bridgeCidr: layout.bridgeCidr, network: bridgeNetwork(layout), startTimeoutSeconds: layout.startTimeoutSeconds }).toEqual({
      bridge: "br-test",
      bridgeCidr: "10.9.8.7/16",
      network: "10.9.0.0/16",
      startTimeoutSeconds: 5,
    });
  });

  it("refuses a bridge range that is not an IPv4 address with a prefix, naming the variable", () => {
    expect(() => bridgeNetwork(engineLayout({ CONTAINER_LABS_CACHE: "/c", ENGINE_BRIDGE_CIDR: "10.9.8.7" }))).toThrow("ENGINE_BRIDGE_CIDR \"10.9.8.7\" is not an IPv4 address");
  });
});

describe("firewall", () => {
  const layout = engineLayout({ CONTAINER_LABS_CACHE: "/c", ENGINE_BRIDGE: "br-test", ENGINE_BRIDGE_CIDR: "10.9.8.1/24" });

  it("masquerades the bridge's network on its way out, and accepts what leaves the bridge and the answers coming back", () => {
    const { jumps, rules } = firewall(layout, { bridgeNetfilter: false });
    expect(jumps).toEqual([
      { table: "nat", chain: "POSTROUTING", rule: ["-j", layout.chain] },
      { table: "filter", chain: "FORWARD", rule: ["-j", layout.chain] },
    ]);
    expect(rules).toEqual([
      { table: "nat", chain: layout.chain, rule: ["-s", "10.9.8.0/24", "!", "-o", "br-test", "-j", "MASQUERADE"] },
      { table: "filter", chain: layout.chain, rule: ["-i", "br-test", "-j", "ACCEPT"] },
      { table: "filter", chain: layout.chain, rule: ["-o", "br-test", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"] },
    ]);
  });

  it("accepts veth-to-veth traffic of one bridge only where br_netfilter would send it through FORWARD", () => {
    const added = firewall(layout, { bridgeNetfilter: true }).rules.filter((rule) => !firewall(layout, { bridgeNetfilter: false }).rules.some((other) => JSON.stringify(other) === JSON.stringify(rule)));
    expect(added).toEqual([{ table: "filter", chain: layout.chain, rule: ["-m", "physdev", "--physdev-is-bridged", "--physdev-in", "veth+", "--physdev-out", "veth+", "-j", "ACCEPT"] }]);
  });
});

it("runs dockerd on the engine's own socket, data root, exec root, bridge and containerd namespaces, without iptables", () => {
  const args = dockerdArgs(engineLayout({ CONTAINER_LABS_CACHE: "/c", ENGINE_BRIDGE: "br-test" })).join(" ");
  expect(args).toContain("--host unix:///c/engine/docker.sock --data-root /c/engine/data");
  expect(args).toContain("--pidfile /c/engine/dockerd.pid --config-file /c/engine/daemon.json");
  expect(args).toContain("--containerd-namespace container-labs --containerd-plugins-namespace container-labs-plugins --bridge br-test --iptables=false");
});

describe("scripts/test-engine.sh", () => {
  const script = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(join(REPO_ROOT, "scripts", "test-engine.sh"), args, { env: { ...process.env, ...env }, encoding: "utf8" });

  it("prints the DOCKER_HOST of the engine of CONTAINER_LABS_CACHE for `env`", () => {
    expect(script(["env"], { CONTAINER_LABS_CACHE: "/tmp/no-such-cache" }).stdout).toBe("export DOCKER_HOST=unix:///tmp/no-such-cache/engine/docker.sock\n");
  });

  it("says `stopped` and exits 1 for `status` where no engine was ever started", () => {
    const { status, stdout } = script(["status"], { CONTAINER_LABS_CACHE: "/tmp/no-such-cache" });
    expect({ status, stdout }).toEqual({ status: 1, stdout: "stopped\n" });
  });

  it("prints its usage and exits 2 for anything else", () => {
    const { status, stderr } = script(["restart"], {});
    expect({ status, stderr }).toEqual({ status: 2, stderr: "usage: scripts/test-engine.sh start|stop|status|env\n" });
  });
});
