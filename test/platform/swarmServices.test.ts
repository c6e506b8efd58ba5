/**
 * Issue 24: on a swarm of hosts (DockerHost.swarm set by the target), the
 * platform runs every lab service as one swarm service instead of
 * containers, on one attachable overlay network per lab, under the same
 * names. Labs do not ask: the same lab code runs unchanged on a single host.
 *
 * The host here is the local target's, given the swarm a target would give
 * (test/support/swarmProgram.ts).
 */
import { SWARM_NO_PIDS_LIMIT, SWARM_PORT_EXPOSURE } from "../../components/platform/swarmService";
import { CONTAINER, LOCAL_COMMAND } from "../labs/helpers";
import { runStack, type Recorded, type StackRun } from "../support/mocks";
import { labsOn, platformOn } from "../support/swarmProgram";

const SERVICE = "docker:index/service:Service";
const NETWORK = "docker:index/network:Network";
const SECRET = "docker:index/secret:Secret";
const STATEFUL = "node.labels.container-labs.node == 1";

type Run = StackRun<void>;
const service = (run: Run, name: string): Recorded => run.one(SERVICE, "name", name);
const labServices = (run: Run, lab: string): string[] =>
  run.ofType(SERVICE).filter((s) => labelsOf(s)["container-labs.lab"] === lab).map((s) => s.inputs.name as string).sort();
const labelsOf = (resource: Recorded): Record<string, string> =>
  Object.fromEntries((resource.inputs.labels as Array<{ label: string; value: string }>).map((l) => [l.label, l.value]));
const spec = (resource: Recorded) => resource.inputs.taskSpec.containerSpec;
/** "published->target/mode" for each port of a service. */
const ports = (resource: Recorded): string[] =>
  (resource.inputs.endpointSpec.ports ?? []).map((p: { publishedPort: number; targetPort: number; publishMode: string }) => `${p.publishedPort}->${p.targetPort}/${p.publishMode}`);

/** Inputs as two runs compare them: the mocks number the IDs they give in the order of creation. */
const sameRun = (inputs: Record<string, unknown>): unknown => JSON.parse(JSON.stringify(inputs).replace(/-id-\d+/g, "-id"));

const DOCKERCOINS_LESSON = { dockercoinsWorkers: "6", dockercoinsRngReplicas: "3", dockercoinsHasherReplicas: "3" };

describe("dockercoins on a swarm without IPVS (dnsrr endpoints), 6 workers and 3 hashers", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", labsOn(["dockercoins"], "dnsrr"), { set: DOCKERCOINS_LESSON });
  });

  it("runs one swarm service per lab service, named as its container was, and no container", () => {
    expect(labServices(run, "dockercoins")).toEqual(["dockercoins-hasher", "dockercoins-redis", "dockercoins-rng", "dockercoins-webui", "dockercoins-worker"]);
    expect(run.ofType(CONTAINER)).toEqual([]);
  });

  it("turns the replica counts into the services' replicas, and runs rng on every node (global), as the workshop does", () => {
    const modes = Object.fromEntries(labServices(run, "dockercoins").map((name) => [name, service(run, name).inputs.mode]));
    expect(modes).toEqual({
      "dockercoins-hasher": { replicated: { replicas: 3 } },
      "dockercoins-redis": { replicated: { replicas: 1 } },
      "dockercoins-rng": { global: true },
      "dockercoins-webui": { replicated: { replicas: 1 } },
      "dockercoins-worker": { replicated: { replicas: 6 } },
    });
  });

  it("puts every service on the lab's attachable overlay network, found there by its service name", () => {
    const network = run.one(NETWORK, "name", "dockercoins");
    expect([network.inputs.driver, network.inputs.attachable]).toEqual(["overlay", true]);
    for (const name of labServices(run, "dockercoins")) {
      expect([name, service(run, name).inputs.taskSpec.networksAdvanceds]).toEqual([name, [{ id: network.id, aliases: [name.replace(/^dockercoins-/, "")] }]]);
    }
  });

  it("resolves services by DNS round robin and publishes each port in host mode on the node that runs the task", () => {
    for (const name of labServices(run, "dockercoins")) expect([name, service(run, name).inputs.endpointSpec.mode]).toEqual([name, "dnsrr"]);
    expect(ports(service(run, "dockercoins-webui"))).toEqual(["8000->80/host"]);
    expect(ports(service(run, "dockercoins-rng"))).toEqual(["8001->80/host"]);
    expect(ports(service(run, "dockercoins-hasher"))).toEqual(["8002->80/host"]);
    expect(ports(service(run, "dockercoins-redis"))).toEqual([]);
  });

  it("runs each image by its digest in the registry, which every node pulls with the registry's pull account", () => {
    expect(spec(service(run, "dockercoins-rng")).image).toMatch(/^registry\.example\.edu:5000\/course\/dockercoins-rng:local@sha256:[0-9a-f]{64}$/);
    for (const name of labServices(run, "dockercoins")) {
      expect([name, service(run, name).inputs.auth]).toEqual([name, { serverAddress: "registry.example.edu:5000", username: "puller", password: "pull-token" }]);
    }
  });

  it("spreads dockercoins' workers, rng and hashers; pins redis, which keeps the count, and webui, whose one port is open only where its task runs, to the node the URLs name", () => {
    const placements = Object.fromEntries(labServices(run, "dockercoins").map((name) => [name, service(run, name).inputs.taskSpec.placement]));
    expect(placements).toEqual({
      "dockercoins-hasher": undefined,
      "dockercoins-redis": { constraints: [STATEFUL] },
      "dockercoins-rng": undefined,
      "dockercoins-webui": { constraints: [STATEFUL] },
      "dockercoins-worker": undefined,
    });
  });

  it("makes the network and every service after the swarm has formed", () => {
    expect(run.one(NETWORK, "name", "dockercoins").dependsOn).toContain("swarm-formed");
    for (const name of labServices(run, "dockercoins")) expect([name, service(run, name).dependsOn.includes("swarm-formed")]).toEqual([name, true]);
    // The workers still start after what they call.
    expect(service(run, "dockercoins-worker").dependsOn).toEqual(expect.arrayContaining(["dockercoins-redis", "dockercoins-rng", "dockercoins-hasher"]));
  });
});

describe("scaling on a swarm changes the replica count alone, never a replacement", () => {
  /** The command that sets a service's count on the manager, by the service's resource name. */
  const scaleCommand = (run: Run, name: string): unknown => run.ofType(LOCAL_COMMAND).find((command) => command.name === `${name}-replicas`)?.inputs.create;

  it("scales the workers from 6 to 12 with docker service scale on the manager, the service's own inputs unchanged but for the count it ignores after creation", async () => {
    const before = await runStack("local", labsOn(["dockercoins"], "dnsrr"), { set: DOCKERCOINS_LESSON });
    const after = await runStack("local", labsOn(["dockercoins"], "dnsrr"), { set: { ...DOCKERCOINS_LESSON, dockercoinsWorkers: "12" } });
    const [old, scaled] = [service(before, "dockercoins-worker"), service(after, "dockercoins-worker")];
    expect([scaleCommand(before, "dockercoins-worker"), scaleCommand(after, "dockercoins-worker")]).toEqual([
      "docker service scale dockercoins-worker=6 >/dev/null",
      "docker service scale dockercoins-worker=12 >/dev/null",
    ]);
    // Through the provider, an update would send the environment in a new order, and Docker would restart every task.
    expect(scaled.options.ignoreChanges).toEqual(["mode.replicated.replicas"]);
    expect(sameRun({ ...scaled.inputs, mode: old.inputs.mode })).toEqual(sameRun(old.inputs));
    // Docker refuses to change a service's mode in place, so switching to global is a replacement.
    expect(scaled.options.replaceOnChanges).toEqual(["mode.global"]);
    for (const name of ["dockercoins-rng", "dockercoins-hasher", "dockercoins-redis", "dockercoins-webui"]) {
      expect([name, sameRun(service(after, name).inputs)]).toEqual([name, sameRun(service(before, name).inputs)]);
    }
  });

  it("scales so only the counts a setting gives: the workers and hashers, not rng (global) nor the one-task services", async () => {
    const run = await runStack("local", labsOn(["dockercoins"], "dnsrr"), { set: DOCKERCOINS_LESSON });
    expect(run.ofType(LOCAL_COMMAND).filter((command) => command.name.endsWith("-replicas")).map((command) => command.name).sort()).toEqual([
      "dockercoins-hasher-replicas", "dockercoins-worker-replicas",
    ]);
    expect(service(run, "dockercoins-webui").options.ignoreChanges).toBeUndefined();
  });
});

describe("dockercoins on a swarm with IPVS (vip endpoints, the default on real hosts)", () => {
  it("publishes its ports through the ingress routing mesh, on every node", async () => {
    const run = await runStack("local", labsOn(["dockercoins"], "vip"), { set: DOCKERCOINS_LESSON });
    expect(service(run, "dockercoins-webui").inputs.endpointSpec).toEqual({ mode: "vip", ports: [{ targetPort: 80, publishedPort: 8000, publishMode: "ingress", protocol: "tcp" }] });
    // The routing mesh opens the port on every node, so webui may run on any.
    expect(service(run, "dockercoins-webui").inputs.taskSpec.placement).toBeUndefined();
  });
});

describe("webstack on a swarm: PostgreSQL pinned with its data, its password a swarm secret", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", labsOn(["webstack"], "dnsrr"));
  });

  it("pins every service that mounts a volume to the stateful node: the database, and the app and nginx with the uploads", () => {
    expect(service(run, "webstack-db").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    expect(service(run, "webstack-app").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    expect(service(run, "webstack-nginx").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    expect(spec(service(run, "webstack-db")).mounts).toContainEqual({ type: "volume", source: "webstack_postgres_data", target: "/var/lib/postgresql/data", readOnly: false });
  });

  it("gives PostgreSQL its password as a file from a swarm secret, not in its environment", () => {
    const db = spec(service(run, "webstack-db"));
    expect(db.env).toEqual({ POSTGRES_USER: "webstack", POSTGRES_DB: "webstack", POSTGRES_PASSWORD_FILE: "/run/secrets/postgres_password" });
    const secret = run.ofType(SECRET).find((s) => s.name === "webstack-postgres-postgres-password");
    expect(secret?.secretInputs).toContain("data");
    expect(Buffer.from(String(secret?.inputs.data), "base64").toString()).toBe("generated-webstack-postgres-password");
    expect(db.secrets).toEqual([expect.objectContaining({ secretId: secret?.id, fileName: "/run/secrets/postgres_password" })]);
  });

  it("keeps the app's database URL, which the app reads only from its environment, in a secret task spec", () => {
    const app = service(run, "webstack-app");
    expect(spec(app).env.DATABASE_URL).toBe("postgres://webstack:generated-webstack-postgres-password@db:5432/webstack");
    expect(app.secretInputs).toContain("taskSpec");
    expect(app.options.additionalSecretOutputs).toEqual(["taskSpec"]);
  });

  it("sets the stack's password in the database's task on the stateful node, where the host's commands run", () => {
    const command = run.ofType(LOCAL_COMMAND).find((c) => c.name === "webstack-postgres-password");
    expect(command?.inputs.create).toBe('docker exec -i "$(docker ps --quiet --filter label=com.docker.swarm.service.name=webstack-db | head -n 1)" psql --quiet -v ON_ERROR_STOP=1 -U webstack -d webstack >/dev/null');
    expect(command?.dependsOn).toEqual(["webstack-postgres"]);
  });
});

describe("the hardening of every service on a swarm, as far as swarm services carry it", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", labsOn(["dockercoins", "webstack", "cmpt756", "notifications"], "dnsrr"), { set: { ...DOCKERCOINS_LESSON, cmpt756Seed: "true" } });
  });

  it("drops every capability, limits memory, rotates json-file logs and restarts failed tasks", () => {
    const services = run.ofType(SERVICE);
    expect(services.length).toBeGreaterThan(12);
    for (const s of services) {
      const { taskSpec } = s.inputs;
      expect([s.inputs.name, taskSpec.containerSpec.capDrops]).toEqual([s.inputs.name, ["ALL"]]);
      expect([s.inputs.name, taskSpec.resources.limits.memoryBytes >= 256 * 1024 * 1024]).toEqual([s.inputs.name, true]);
      expect([s.inputs.name, taskSpec.logDriver]).toEqual([s.inputs.name, { name: "json-file", options: { "max-size": "10m", "max-file": "3" } }]);
    }
    const oneShots = services.filter((s) => s.inputs.taskSpec.restartPolicy.condition === "none").map((s) => s.inputs.name);
    expect(oneShots).toEqual(["cmpt756-seed"]);
  });

  it("runs a read-only root with a tmpfs /tmp (and the server's scratch directories) or says why not", () => {
    for (const s of run.ofType(SERVICE)) {
      const containerSpec = spec(s);
      const tmpfs = containerSpec.mounts.filter((m: { type: string }) => m.type === "tmpfs").map((m: { target: string }) => m.target);
      if (labelsOf(s)["container-labs.writable-root"] === undefined) {
        expect([s.inputs.name, containerSpec.readOnly, tmpfs[0]]).toEqual([s.inputs.name, true, "/tmp"]);
      } else {
        expect([s.inputs.name, containerSpec.readOnly, tmpfs]).toEqual([s.inputs.name, false, []]);
      }
    }
    const nginx = spec(service(run, "webstack-nginx")).mounts.filter((m: { type: string }) => m.type === "tmpfs");
    expect(nginx).toEqual(["/tmp", "/etc/nginx/conf.d", "/var/cache/nginx"].map((target) => ({ type: "tmpfs", target, tmpfsOptions: { sizeBytes: 64 * 1024 * 1024 } })));
  });

  it("labels what a swarm service cannot carry: no pids limit on any, and every published port open on the nodes", () => {
    for (const s of run.ofType(SERVICE)) {
      expect([s.inputs.name, labelsOf(s)["container-labs.no-pids-limit"]]).toEqual([s.inputs.name, SWARM_NO_PIDS_LIMIT]);
      // The task's containers carry the same labels, so `docker ps --filter label=...` on a node finds them.
      expect([s.inputs.name, spec(s).labels]).toEqual([s.inputs.name, s.inputs.labels]);
      const exposure = labelsOf(s)["container-labs.exposure"];
      expect([s.inputs.name, exposure]).toEqual([s.inputs.name, ports(s).length > 0 ? SWARM_PORT_EXPOSURE : undefined]);
    }
    // What stays on the host's loopback on one machine cannot on a swarm: cmpt756's datastore and DynamoDB Local.
    expect(ports(service(run, "cmpt756-db"))).toEqual(["30002->30002/host"]);
    expect(ports(service(run, "dynamodb-local"))).toEqual(["18000->8000/host"]);
  });

  it("limits no process count with docker update: it would reach only the manager's containers", () => {
    expect(run.ofType(LOCAL_COMMAND).filter((c) => c.name.endsWith("-pids-limit"))).toEqual([]);
  });

  it("pins DynamoDB Local with its volume, and runs the course's loader once (a task never restarted)", () => {
    expect(service(run, "dynamodb-local").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    const seed = service(run, "cmpt756-seed");
    expect([seed.inputs.mode, seed.inputs.convergeConfig, seed.inputs.taskSpec.restartPolicy]).toEqual([{ replicated: { replicas: 1 } }, undefined, { condition: "none", delay: "5s", window: "0s" }]);
  });
});

describe("what stays on one node and what spreads: kleeweb and docker-basics on a swarm", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", labsOn(["kleeweb", "docker-basics"], "dnsrr"));
  });

  it("runs kleeweb's workers where the job image was pulled and the socket's group read, each with its own node's engine socket, and pins its database, queue and web tier", () => {
    const worker = service(run, "kleeweb-worker");
    expect(worker.inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    expect(spec(worker).mounts).toContainEqual({ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false });
    expect(labelsOf(worker)["container-labs.role"]).toBe("job-worker");
    expect(service(run, "kleeweb-db").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    // Its queue too: redis keeps it in memory.
    expect(service(run, "kleeweb-redis").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
    // And web, which nginx's upstream block resolves once: moved to another machine, it would be out of nginx's reach.
    expect(service(run, "kleeweb-web").inputs.taskSpec.placement).toEqual({ constraints: [STATEFUL] });
  });

  it("keeps kleeweb's fixed subnet (the course's, by default) on its overlay network", () => {
    const network = run.one(NETWORK, "name", "kleeweb_network");
    expect([network.inputs.driver, network.inputs.ipamConfigs]).toEqual(["overlay", [{ subnet: "172.18.0.0/16", gateway: "172.18.0.1" }]]);
  });

  it("pins the demos that share a volume or a host directory to the node that holds it, and the TCP server to the node its URL names; spreads the others", () => {
    const pinned = run.ofType(SERVICE).filter((s) => s.inputs.taskSpec.placement !== undefined).map((s) => s.inputs.name).sort();
    const basics = labServices(run, "docker-basics");
    expect(basics.filter((name) => pinned.includes(name))).toEqual([
      "docker-basics-bind-append", "docker-basics-bind-tail", "docker-basics-tcp-server", "docker-basics-volume-append", "docker-basics-volume-tail",
    ]);
    expect(basics.filter((name) => !pinned.includes(name)).length).toBeGreaterThan(0);
  });
});

describe("the same labs on a single host", () => {
  it("are containers on bridge networks, as before: no swarm service, no overlay, no secret", async () => {
    const run = await runStack("local", labsOn(["dockercoins", "webstack"]), { set: DOCKERCOINS_LESSON });
    expect(run.ofType(SERVICE)).toEqual([]);
    expect(run.ofType(SECRET)).toEqual([]);
    expect(run.ofType(CONTAINER).map((c) => c.inputs.name)).toContain("dockercoins-worker-6");
    for (const network of run.ofType(NETWORK)) expect([network.inputs.name, network.inputs.driver, network.inputs.attachable]).toEqual([network.inputs.name, "bridge", undefined]);
  });
});

describe("a swarm needs a registry", () => {
  it("is refused without one at the first image: the nodes pull every image from it", async () => {
    const program = () => {
      const platform = platformOn(undefined, { endpointMode: "dnsrr" });
      platform.pull("redis", "redis", platform.host);
    };
    await expect(runStack("local", program)).rejects.toThrow(/a swarm of hosts runs lab images on every node, which pull them from a registry: set registryServer/);
  });

  it("is not needed by a swarm with no lab on it (the ci-swarm stack forms the swarm alone)", async () => {
    await expect(runStack("local", () => { platformOn(undefined, { endpointMode: "dnsrr" }); })).resolves.toBeDefined();
  });
});
