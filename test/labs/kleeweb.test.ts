import { resolve, runStack } from "../support/mocks";
import { CONTAINER, container, env, labContainers, program, publishIp, published, type Run } from "./helpers";

const SOCKET = "/var/run/docker.sock";
const mountsSocket = (c: { inputs: Record<string, any> }) =>
  ((c.inputs.volumes ?? []) as Array<{ hostPath?: string }>).some((v) => v.hostPath === SOCKET);

describe.each(["local", "dev"])("the kleeweb lab on the %s stack", (stack) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" } });
  });

  it("creates kleeweb_network with the configured subnet and gateway", () => {
    const network = run.one("docker:index/network:Network", "name", "kleeweb_network");
    expect(network.inputs.ipamConfigs).toEqual([{ subnet: "172.18.0.0/16", gateway: "172.18.0.1" }]);
  });

  it("runs redis, postgres, web, two workers and nginx, every one restarting always", () => {
    expect(labContainers(run, "kleeweb")).toEqual(["kleeweb-db", "kleeweb-nginx", "kleeweb-redis", "kleeweb-web", "kleeweb-worker-1", "kleeweb-worker-2"]);
    for (const name of labContainers(run, "kleeweb")) expect(container(run, name).inputs.restart).toBe("always");
  });

  it("gives the Docker socket to exactly the workers, labelled as job workers, with the socket's group", () => {
    const withSocket = run.ofType(CONTAINER).filter(mountsSocket).map((c) => c.inputs.name).sort();
    expect(withSocket).toEqual(["kleeweb-worker-1", "kleeweb-worker-2"]);
    for (const name of withSocket) {
      expect(container(run, name).inputs.labels).toContainEqual({ label: "container-labs.role", value: "job-worker" });
      expect(container(run, name).inputs.user).toBeUndefined();
      expect(container(run, name).inputs.groupAdds).toHaveLength(1);
    }
  });

  it("publishes only nginx, on 80", () => {
    const publishing = run.ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0 && labContainers(run, "kleeweb").includes(c.inputs.name));
    expect(publishing.map((c) => c.inputs.name)).toEqual(["kleeweb-nginx"]);
    expect(published(run, "kleeweb-nginx")).toEqual([`${publishIp(stack)}:80->80`]);
    expect(env(run, "kleeweb-nginx").WEB_UPSTREAM).toBe("web:8000");
  });

  it("has web trust its own network, where nginx is, for the client address nginx names", () => {
    expect(env(run, "kleeweb-web").HTTP_TRUSTED_PROXIES).toBe("172.18.0.0/16");
  });

  it("keeps postgres_data at /var/lib/postgresql/data, protected from destroy", () => {
    expect(container(run, "kleeweb-db").inputs.volumes).toEqual([{ containerPath: "/var/lib/postgresql/data", readOnly: false, volumeName: "postgres_data" }]);
    expect(run.one("docker:index/volume:Volume", "name", "postgres_data").options).toMatchObject({ protect: true, retainOnDelete: false });
  });

  it("runs jobs in the pinned KLEE image, pulled on the host beforehand, at the configured log level", () => {
    expect(env(run, "kleeweb-worker-1")).toMatchObject({ RUNNER: "docker", LOG_LEVEL: "info", REDIS_URL: "redis://redis:6379" });
    expect(env(run, "kleeweb-worker-1").JOB_IMAGE).toMatch(/^klee\/klee:[\d.]+@sha256:[0-9a-f]{64}$/);
    const pulled = run.ofType("docker:index/remoteImage:RemoteImage").find((i) => i.name === "kleeweb-job-image")!;
    expect(pulled.inputs.name).toBe(env(run, "kleeweb-worker-1").JOB_IMAGE);
    expect(container(run, "kleeweb-worker-1").dependsOn).toContain("kleeweb-job");
  });

  it("keeps the database password secret", () => {
    for (const name of ["kleeweb-db", "kleeweb-web", "kleeweb-worker-1"]) expect(container(run, name).secretInputs).toContain("envs");
    expect(env(run, "kleeweb-web").DATABASE_URL).toBe("postgres://kleeweb:generated-kleeweb-postgres-password@db:5432/kleeweb");
  });

  it("exports the site URL", async () => {
    expect(await resolve(run.outputs.labs.kleeweb!.urls.site)).toBe(`http://${stack === "dev" ? "203.0.113.10" : "localhost"}:80/`);
  });
});

describe("kleeweb settings", () => {
  it("takes the subnet, gateway, worker count and log level from config, and can leave the volume unprotected but retained", async () => {
    const run = await runStack("local", program, {
      set: { kleewebSubnet: "10.42.0.0/24", kleewebGateway: "10.42.0.1", kleewebWorkers: "3", kleewebLogLevel: "debug", kleewebProtectDatabase: "false" },
    });
    expect(run.one("docker:index/network:Network", "name", "kleeweb_network").inputs.ipamConfigs).toEqual([{ subnet: "10.42.0.0/24", gateway: "10.42.0.1" }]);
    expect(labContainers(run, "kleeweb").filter((n) => n.startsWith("kleeweb-worker-"))).toHaveLength(3);
    expect(env(run, "kleeweb-web").LOG_LEVEL).toBe("debug");
    expect(env(run, "kleeweb-web").HTTP_TRUSTED_PROXIES).toBe("10.42.0.0/24");
    expect(run.one("docker:index/volume:Volume", "name", "postgres_data").options).toMatchObject({ protect: false, retainOnDelete: true });
  });
});
