import { resolve, runStack } from "../support/mocks";
import { container, env, labContainers, program, published, type Run } from "./helpers";

describe("the dockercoins lab on the dev stack (2 workers, from Pulumi.dev.yaml)", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("dev", program, { secrets: { registryToken: "ghp_test" } });
  });

  it("runs rng, hasher, worker, webui and redis on one network, each found by its name", () => {
    expect(labContainers(run, "dockercoins")).toEqual([
      "dockercoins-hasher", "dockercoins-redis", "dockercoins-rng", "dockercoins-webui", "dockercoins-worker-1", "dockercoins-worker-2",
    ]);
    for (const name of labContainers(run, "dockercoins")) {
      const alias = name.replace(/^dockercoins-/, "").replace(/-\d+$/, "");
      expect(container(run, name).inputs.networksAdvanced).toEqual([{ name: "dockercoins", aliases: [alias] }]);
    }
    expect(env(run, "dockercoins-worker-1")).toMatchObject({ RNG_URL: "http://rng", HASHER_URL: "http://hasher", REDIS_URL: "redis://redis:6379" });
    expect(env(run, "dockercoins-webui").REDIS_URL).toBe("redis://redis:6379");
  });

  it("publishes webui on 8000, rng on 8001 and hasher on 8002, and not redis", () => {
    expect(published(run, "dockercoins-webui")).toEqual(["0.0.0.0:8000->80"]);
    expect(published(run, "dockercoins-rng")).toEqual(["0.0.0.0:8001->80"]);
    expect(published(run, "dockercoins-hasher")).toEqual(["0.0.0.0:8002->80"]);
    expect(published(run, "dockercoins-redis")).toEqual([]);
  });

  it("keeps the lesson's 0.1 s delay in rng, hasher and the workers", () => {
    for (const name of ["dockercoins-rng", "dockercoins-hasher", "dockercoins-worker-1"]) expect(env(run, name).LESSON_DELAY_MS).toBe("100");
  });

  it("exports the webui URL", async () => {
    expect(await resolve(run.outputs.labs.dockercoins!.urls.webui)).toBe("http://203.0.113.10:8000/");
  });
});

describe("scaling dockercoins from config", () => {
  it("runs the configured replicas behind one alias each, the first replica publishing the port", async () => {
    const run = await runStack("local", program, {
      set: { dockercoinsWorkers: "4", dockercoinsRngReplicas: "3", dockercoinsHasherReplicas: "2", dockercoinsLessonDelayMs: "0" },
    });
    const names = labContainers(run, "dockercoins");
    expect(names.filter((n) => n.startsWith("dockercoins-worker-"))).toHaveLength(4);
    expect(names.filter((n) => n.startsWith("dockercoins-rng-"))).toEqual(["dockercoins-rng-1", "dockercoins-rng-2", "dockercoins-rng-3"]);
    expect(names.filter((n) => n.startsWith("dockercoins-hasher-"))).toEqual(["dockercoins-hasher-1", "dockercoins-hasher-2"]);
    expect(published(run, "dockercoins-rng-1")).toEqual(["127.0.0.1:8001->80"]);
    expect(published(run, "dockercoins-rng-2")).toEqual([]);
    expect(env(run, "dockercoins-rng-3").LESSON_DELAY_MS).toBe("0");
  });

  it("runs no worker at all when the count is 0, leaving the rest up", async () => {
    const run = await runStack("local", program, { set: { dockercoinsWorkers: "0" } });
    expect(labContainers(run, "dockercoins")).toEqual(["dockercoins-hasher", "dockercoins-redis", "dockercoins-rng", "dockercoins-webui"]);
  });
});
