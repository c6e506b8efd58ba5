import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolve, runStack } from "../support/mocks";
import { ROOT } from "../support/stackConfig";
import { container, env, labContainers, program, publishIp, published, type Run } from "./helpers";

describe.each(["local", "dev"])("the webstack lab on the %s stack", (stack) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" } });
  });

  it("runs nginx, the app and PostgreSQL on one network, and publishes only nginx on 1337", () => {
    expect(labContainers(run, "webstack")).toEqual(["webstack-app", "webstack-db", "webstack-nginx"]);
    expect(published(run, "webstack-nginx")).toEqual([`${publishIp(stack)}:1337->80`]);
    expect(published(run, "webstack-app")).toEqual([]);
    expect(published(run, "webstack-db")).toEqual([]);
    expect(env(run, "webstack-nginx").APP_UPSTREAM).toBe("app:5000");
  });

  it("keeps PostgreSQL's data on a named volume that destroy leaves in place", () => {
    expect(container(run, "webstack-db").inputs.volumes).toEqual([{ containerPath: "/var/lib/postgresql/data", readOnly: false, volumeName: "webstack_postgres_data" }]);
    expect(run.one("docker:index/volume:Volume", "name", "webstack_postgres_data").options.retainOnDelete).toBe(true);
  });

  it("shares static and media: the app writes them, nginx only reads them", () => {
    const mounts = (name: string) => container(run, name).inputs.volumes.map((v: { volumeName: string; readOnly: boolean }) => `${v.volumeName}:${v.readOnly ? "ro" : "rw"}`);
    expect(mounts("webstack-app")).toEqual(["webstack_static:rw", "webstack_media:rw"]);
    expect(mounts("webstack-nginx")).toEqual(["webstack_static:ro", "webstack_media:ro"]);
  });

  it("gives the database a generated password, kept secret, and the app the URL with it", () => {
    expect(env(run, "webstack-db").POSTGRES_PASSWORD).toBe("generated-webstack-postgres-password");
    expect(env(run, "webstack-app").DATABASE_URL).toBe("postgres://webstack:generated-webstack-postgres-password@db:5432/webstack");
    for (const name of ["webstack-db", "webstack-app"]) expect(container(run, name).secretInputs).toContain("envs");
    expect(container(run, "webstack-nginx").secretInputs).not.toContain("envs");
  });

  it("matches nginx's body limit to the app's upload limit", () => {
    expect(env(run, "webstack-app").MAX_UPLOAD_BYTES).toBe("10485760");
    expect(Number(env(run, "webstack-nginx").CLIENT_MAX_BODY_SIZE)).toBeGreaterThan(10485760);
  });

  it("runs the dev profile and one worker by default: debug logs, schema recreated and seeded", () => {
    expect(env(run, "webstack-app")).toMatchObject({ APP_PROFILE: "development", LOG_LEVEL: "debug", WEB_CONCURRENCY: "1" });
  });

  it("exports the site URL and the upload form's", async () => {
    const host = stack === "dev" ? "203.0.113.10" : "localhost";
    expect(await resolve(run.outputs.labs.webstack!.urls.site)).toBe(`http://${host}:1337/`);
    expect(await resolve(run.outputs.labs.webstack!.urls.upload)).toBe(`http://${host}:1337/upload`);
  });

  it("is listed in the README's lab table with every URL it exports, so the form at /upload is found there too", async () => {
    const row = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").find((line) => line.startsWith("| `webstack` |"));
    const host = stack === "dev" ? "203.0.113.10" : "localhost";
    for (const url of Object.values(run.outputs.labs.webstack!.urls)) {
      expect(row).toContain(`\`${(await resolve(url)).replace(`//${host}:`, "//<host>:")}\``);
    }
  });
});

describe("the webstack prod profile", () => {
  it("creates the schema if missing, seeds nothing, logs at info, with the configured workers", async () => {
    const run = await runStack("local", program, { set: { webstackProfile: "prod", webstackAppWorkers: "4" } });
    expect(env(run, "webstack-app")).toMatchObject({ APP_PROFILE: "production", LOG_LEVEL: "info", WEB_CONCURRENCY: "4" });
  });

  it("lets destroy remove the database volume only when told", async () => {
    const run = await runStack("local", program, { set: { webstackRetainDatabase: "false" } });
    expect(run.one("docker:index/volume:Volume", "name", "webstack_postgres_data").options).toMatchObject({ protect: false, retainOnDelete: false });
  });
});
