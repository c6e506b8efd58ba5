/**
 * Issue 11, defect 4: kleeweb's fixed subnet collided with networks Docker had
 * already handed it to. Before `up` registers anything, the program asks the
 * engine for its networks and names the setting to change; and networks Docker
 * addresses itself are made after the fixed one, so a fresh engine never
 * collides. (The deployment tests check the same against a real engine.)
 */
import { mkdtempSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "../../config";
import { checkEngine, parseNetworks, subnetProblems } from "../../components/platform/enginePreflight";
import { runStack } from "../support/mocks";
import { program } from "../labs/helpers";

const kleeweb = { key: "kleewebSubnet", subnet: "172.18.0.0/16", network: "kleeweb_network" };
const engineNetworks = JSON.stringify([
  { Name: "bridge", IPAM: { Config: [{ Subnet: "172.17.0.0/16", Gateway: "172.17.0.1" }] } },
  { Name: "someone-elses", IPAM: { Config: [{ Subnet: "172.18.0.0/16" }, { Subnet: "fd00::/64" }] } },
  { Name: "none", IPAM: { Config: null } },
]);

describe("the fixed subnet check", () => {
  it("names the setting, the network holding the range, and a free range to use", () => {
    expect(subnetProblems(kleeweb, parseNetworks(engineNetworks), "container-labs")).toEqual([
      'container-labs:kleewebSubnet = "172.18.0.0/16": overlaps the engine\'s network "someone-elses" (172.18.0.0/16); set a free range, e.g. npm run pulumi -- config set kleewebSubnet 172.30.0.0/16 (and the gateway inside it: 172.30.0.1), or remove that network',
    ]);
  });

  it("accepts the lab's own network from an earlier up, and ranges that only border it", () => {
    const networks = [{ name: "kleeweb_network", subnets: ["172.18.0.0/16"] }, { name: "next", subnets: ["172.19.0.0/16"] }];
    expect(subnetProblems(kleeweb, networks, "container-labs")).toEqual([]);
  });

  it("asks the engine at localDockerHost, over its unix socket", async () => {
    const socket = join(mkdtempSync(join(tmpdir(), "engine-")), "docker.sock");
    const server = http.createServer((request, response) => {
      response.writeHead(request.url === "/networks" ? 200 : 404).end(engineNetworks);
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await expect(checkEngine({ endpoint: `unix://${socket}`, fixedSubnets: [kleeweb] }, "container-labs")).rejects.toThrow(ConfigurationError);
      await expect(checkEngine({ endpoint: `unix://${socket}`, fixedSubnets: [] }, "container-labs")).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it("says so when no engine answers at localDockerHost", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "engine-")), "docker.sock");
    await expect(checkEngine({ endpoint: `unix://${missing}`, fixedSubnets: [] }, "container-labs")).rejects.toThrow(
      new RegExp(`^invalid configuration:\\n  - container-labs:localDockerHost = "unix://${missing}": no Docker engine answers there \\(connect ENOENT`),
    );
  });
});

describe("on a fresh engine", () => {
  it("makes kleeweb_network before every network whose subnet Docker picks", async () => {
    const run = await runStack("local", program);
    const networks = run.ofType("docker:index/network:Network");
    expect(networks.map((n) => n.inputs.name).sort()).toEqual(["cmpt756", "docker-basics", "dockercoins", "kleeweb_network", "notifications", "t3n", "webstack"]);
    for (const network of networks.filter((n) => n.inputs.name !== "kleeweb_network")) {
      expect([network.inputs.name, network.dependsOn]).toEqual([network.inputs.name, ["kleeweb-network"]]);
    }
  });
});
