/**
 * Every container the program runs is hardened by the Service component
 * (CIS Docker Benchmark 5.x): limits on memory, CPU and processes, every
 * capability dropped, no-new-privileges, a read-only root filesystem unless
 * a reason is given, and host ports on loopback unless a setting opens them.
 */
import { runStack } from "../support/mocks";
import { CONTAINER, container, LOCAL_COMMAND, program, published, type Run } from "../labs/helpers";

const labelsOf = (run: Run, name: string): Record<string, string> =>
  Object.fromEntries((container(run, name).inputs.labels as Array<{ label: string; value: string }>).map((l) => [l.label, l.value]));

describe("containers on the local stack", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program);
  });

  it("every one has memory (no swap beyond it) and CPU limits, drops every capability and cannot gain privileges", () => {
    const containers = run.ofType(CONTAINER);
    expect(containers.length).toBeGreaterThan(20);
    for (const c of containers) {
      expect([c.inputs.name, c.inputs.memory > 0, c.inputs.memorySwap, c.inputs.cpuShares > 0]).toEqual([c.inputs.name, true, c.inputs.memory, true]);
      expect([c.inputs.name, c.inputs.capabilities.drops]).toEqual([c.inputs.name, ["ALL"]]);
      expect([c.inputs.name, c.inputs.securityOpts]).toEqual([c.inputs.name, ["no-new-privileges:true"]]);
    }
  });

  it("every one has a read-only root filesystem with a small /tmp (and the server's scratch directories), or a label saying why not", () => {
    const tmpfs = "rw,noexec,nosuid,size=64m";
    const postgres = { "/var/run/postgresql": tmpfs };
    const nginx = { "/etc/nginx/conf.d": `${tmpfs},uid=101`, "/var/cache/nginx": `${tmpfs},uid=101` };
    const scratch: Record<string, Record<string, string>> = { "notifications-db": postgres, "webstack-db": postgres, "kleeweb-db": postgres, "webstack-nginx": nginx, "kleeweb-nginx": nginx };
    for (const c of run.ofType(CONTAINER)) {
      const reason = labelsOf(run, c.inputs.name)["container-labs.writable-root"];
      if (reason === undefined) {
        expect([c.inputs.name, c.inputs.readOnly, c.inputs.tmpfs]).toEqual([c.inputs.name, true, { "/tmp": tmpfs, ...scratch[c.inputs.name] }]);
      } else {
        expect([c.inputs.name, c.inputs.readOnly, reason.length > 10]).toEqual([c.inputs.name, false, true]);
      }
    }
    // Our own services all run read-only.
    for (const name of ["notifications-service", "cmpt756-s1", "webstack-app", "dockercoins-worker", "kleeweb-web", "kleeweb-worker-1"]) {
      expect([name, container(run, name).inputs.readOnly]).toEqual([name, true]);
    }
  });

  it("limits the processes of every long-running container once it exists, with docker update", () => {
    const limits = run.ofType(LOCAL_COMMAND).filter((c) => c.name.endsWith("-pids-limit"));
    const longRunning = run.ofType(CONTAINER).filter((c) => c.inputs.mustRun);
    expect(limits.length).toBeGreaterThan(15);
    for (const command of limits) expect(command.inputs.create).toMatch(/^docker update --pids-limit 256 \S+( \S+)* >\/dev\/null$/);
    // The mocks give each container the ID "<resource name>-id-<n>".
    const limitedContainers = limits
      .flatMap((c) => (c.inputs.create as string).split(" ").filter((word) => /-id-\d+$/.test(word)))
      .map((id) => id.replace(/-id-\d+$/, ""));
    expect(limitedContainers.sort()).toEqual(longRunning.map((c) => c.name).sort());
  });

  it("labels exactly the one-shot containers with why no pids limit reaches them (they exit while the provider creates them)", () => {
    const containers = run.ofType(CONTAINER);
    const oneShots = containers.filter((c) => c.inputs.restart === "no").map((c) => c.inputs.name);
    const labelled = containers.filter((c) => labelsOf(run, c.inputs.name)["container-labs.no-pids-limit"]?.startsWith("one-shot: ")).map((c) => c.inputs.name);
    expect(oneShots.length).toBeGreaterThan(2);
    expect(labelled.sort()).toEqual(oneShots.sort());
  });

  it("starts no container as root: the only root process is the volume owner's docker run", () => {
    const asRoot = run.ofType(CONTAINER).filter((c) => /^(root|0)(:|$)/.test(c.inputs.user ?? "") || labelsOf(run, c.inputs.name)["container-labs.runs-as-root"] !== undefined);
    expect(asRoot.map((c) => c.inputs.name)).toEqual([]);
  });

  it("publishes every port on loopback only, with no exposure label", () => {
    for (const c of run.ofType(CONTAINER)) {
      for (const port of published(run, c.inputs.name)) expect(port).toMatch(/^127\.0\.0\.1:/);
      expect(labelsOf(run, c.inputs.name)["container-labs.exposure"]).toBeUndefined();
    }
  });
});

describe("a local stack opened to the network on purpose", () => {
  it("publishes on the configured address and labels each publishing container with why", async () => {
    const run = await runStack("local", program, { set: { localPublishAddress: "0.0.0.0" } });
    expect(published(run, "webstack-nginx")).toEqual(["0.0.0.0:1337->80"]);
    expect(labelsOf(run, "webstack-nginx")["container-labs.exposure"]).toBe("lan");
    // A port the lab keeps on loopback stays there.
    expect(published(run, "cmpt756-db")).toEqual(["127.0.0.1:30002->30002"]);
    expect(labelsOf(run, "cmpt756-db")["container-labs.exposure"]).toBeUndefined();
  });
});

describe("containers on the dev stack (EC2)", () => {
  it("publish on every address of the host, labelled as limited by the security group", async () => {
    const run = await runStack("dev", program, { secrets: { registryToken: "t" } });
    expect(published(run, "dockercoins-webui")).toEqual(["0.0.0.0:8000->80"]);
    expect(labelsOf(run, "dockercoins-webui")["container-labs.exposure"]).toBe("security-group");
    expect(run.ofType("pulumi-nodejs:dynamic/container-labs:RemoteCommand").filter((c) => c.name.endsWith("-pids-limit")).length).toBeGreaterThan(15);
  });
});
