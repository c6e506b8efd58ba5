import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { join } from "node:path";
import { startService } from "@container-labs/test-kit";
import { COURSE_NOTIFICATIONS_KEY } from "../../config";
import { resolve, runStack } from "../support/mocks";
import { CONTAINER, GENERATED_KEY_PAIR, LOCAL_COMMAND, program, type Run } from "./helpers";

const SERVICE_SCRIPT = join(__dirname, "..", "..", "images", "notifications", "notifications-service", "dist", "main.js");

describe.each([
  ["local", LOCAL_COMMAND, `${os.homedir()}/.container-labs/local/notifications`],
  ["dev", "pulumi-nodejs:dynamic/container-labs:RemoteCommand", "/var/lib/container-labs/notifications"],
])("the notifications lab on the %s stack", (stack, commandType, resultsDir) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" } });
  });
  const probeCommand = () => run.ofType(commandType).find((c) => c.name === "notifications-probe-runs")!;

  it("runs the service as notifications-service on its own network, published on 3000", () => {
    const service = run.one(CONTAINER, "name", "notifications-service");
    expect(service.inputs.networksAdvanced).toEqual([{ name: "notifications", aliases: ["notifications-service"] }]);
    expect(service.inputs.ports).toEqual([{ internal: 3000, external: 3000, ip: stack === "dev" ? "0.0.0.0" : "127.0.0.1", protocol: "tcp" }]);
    expect(run.one("docker:index/network:Network", "name", "notifications").inputs.driver).toBe("bridge");
  });

  it("starts the service with --secret-key from config, kept as a secret", () => {
    const service = run.one(CONTAINER, "name", "notifications-service");
    expect(service.inputs.command).toEqual(["--secret-key", COURSE_NOTIFICATIONS_KEY]);
    expect(service.secretInputs).toContain("command");
  });

  it("takes the configured key instead of the course's", async () => {
    const own = await runStack(stack, program, { secrets: { registryToken: "t", notificationsSecretKey: "0123456789abcdef0123456789abcdef" } });
    expect(own.one(CONTAINER, "name", "notifications-service").inputs.command).toEqual(["--secret-key", "0123456789abcdef0123456789abcdef"]);
  });

  it("waits for the service to be healthy before the probe runs", () => {
    expect(run.one(CONTAINER, "name", "notifications-service").inputs.wait).toBe(true);
    expect(probeCommand().dependsOn).toEqual(expect.arrayContaining(["notifications-results-dir", "notifications-service"]));
  });

  it("runs the probe 3 times on the same network, reaching the service by name, with the results dir bind-mounted", () => {
    const script: string = probeCommand().inputs.create;
    expect(script).toContain('while [ "$run" -le 3 ]');
    expect(script).toContain("--network 'notifications'");
    expect(script).toContain("NOTIFICATIONS_URL='http://notifications-service:3000/api/notify'");
    expect(script).toContain(`--volume '${resultsDir}':/data`);
  });

  it("hands the probe the key on stdin, never on its command line (the second line, a token key, empty: no group)", () => {
    const command = probeCommand();
    expect(command.inputs.stdin).toBe(`${COURSE_NOTIFICATIONS_KEY}\n\n`);
    expect(command.inputs.create).not.toContain(COURSE_NOTIFICATIONS_KEY);
    expect(command.secretInputs).toContain("stdin");
  });

  it("runs again when the probe image, the service image or the number of runs change", () => {
    expect(probeCommand().inputs.triggers).toEqual([
      "sha256:image-id-of-notifications-probe-image",
      3,
      "sha256:image-id-of-notifications-service-image",
    ]);
  });

  it("exports the latencies as numbers and the file's host path", async () => {
    const lab = run.outputs.labs.notifications!;
    expect(await resolve(lab.details!.latencies)).toEqual([0.0021, 0.0018, 0.0019]);
    expect(await resolve(lab.details!.latencyFile)).toBe(`${resultsDir}/latencies.txt`);
  });

  it("prints a first Try line that works as written: the assignment's request, inline, answered 200 by the service", async () => {
    const lab = run.outputs.labs.notifications!;
    const line = await resolve(lab.tryIt[0]);
    const url = await resolve(lab.urls.notify);
    expect(line.startsWith(`curl -s -X POST ${url} `)).toBe(true);
    const service = await startService("notifications-service", { script: SERVICE_SCRIPT, args: ["--secret-key", COURSE_NOTIFICATIONS_KEY] });
    try {
      // As printed, with only the service's address changed to the process started here; its "# ..." tail is a shell comment.
      const answer = execFileSync("sh", ["-c", line.replace(url, service.url("/api/notify"))], { encoding: "utf8" });
      // Only a 200 is a bare number of seconds: every refusal is a sentence.
      expect(answer).toMatch(/^\d+\.\d+$/);
    } finally {
      await service.stop();
    }
  });

  it("prints a key of the user's own nowhere: its two keyed lines take it from the stack's config, in the checkout", async () => {
    const own = await runStack(stack, program, { secrets: { registryToken: "t", notificationsSecretKey: "0123456789abcdef0123456789abcdef" } });
    const lab = own.outputs.labs.notifications!;
    const [request, probe] = await Promise.all(lab.tryIt.map((line) => resolve(line)));
    const url = await resolve(lab.urls.notify);
    const stackFlag = stack === "local" ? "" : ` -- --stack ${stack}`;
    expect(request.startsWith(`npm run -s notification${stackFlag} | curl -s -X POST ${url} -H 'Content-Type: application/json' -d @-   # `)).toBe(true);
    const keyFrom = `npm run -s pulumi -- config get notificationsSecretKey${stack === "local" ? "" : ` --stack ${stack}`}`;
    expect(probe.startsWith(`SECRET_KEY=$(${keyFrom}) docker run --rm --network 'notifications' `)).toBe(true);
    expect(JSON.stringify(await resolve(own.outputs.labs as never))).not.toContain("0123456789abcdef0123456789abcdef");
  });

  it("makes the results directory writable by the probe's user, and by nobody else", () => {
    const dir = run.ofType(commandType).find((c) => c.name === "notifications-results-dir")!;
    if (stack === "dev") {
      expect(dir.inputs.create).toBe(`sudo install -d -m 0750 -o 1000 -g 1000 '${resultsDir}'`);
    } else {
      // Made by the user running Pulumi; handed to uid 1000 by a throwaway container only when that user is someone else.
      expect(dir.inputs.create).toMatch(/^mkdir -p '.*' && chmod 0750 '.*' && if \[ "\$\(id -u\)" != 1000 \]; then docker run --rm --user 0 --network none --read-only --cap-drop ALL --cap-add CHOWN --security-opt no-new-privileges:true --pids-limit 8 .* --volume '.*:\/dir' --entrypoint chown 'sha256:image-id-of-notifications-probe-image' '1000:1000' '\/dir'; fi$/);
      expect(dir.inputs.environment).toEqual({ DOCKER_HOST: "unix:///var/run/docker.sock" });
    }
    expect(dir.inputs.create).not.toMatch(/777/);
  });
});

describe("the notifications lab with a group and its database", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack("local", program, { set: { notificationsGroup: "group-7", notificationsDatabase: true } });
  });

  it("gives the service the public key of a generated pair and the database's URL, kept secret", () => {
    const service = run.one(CONTAINER, "name", "notifications-service");
    const env = Object.fromEntries((service.inputs.envs as string[]).map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
    expect(run.ofType(GENERATED_KEY_PAIR).map((pair) => pair.name)).toEqual(["notifications-token-key"]);
    // The mocks' key pair (test/support/mocks.ts) is named after its resource.
    expect(env.TOKEN_PUBLIC_KEY).toBe("-----BEGIN PUBLIC KEY-----\nnotifications-token-key\n-----END PUBLIC KEY-----\n");
    expect(env.DATABASE_URL).toBe("postgres://notifications:generated-notifications-postgres-password@db:5432/notifications");
    expect(service.secretInputs).toContain("envs");
    expect(service.dependsOn).toEqual(["notifications-postgres", "notifications-postgres-password"]);
  });

  it("runs PostgreSQL beside it, its data on a volume destroy leaves in place", () => {
    expect(run.one(CONTAINER, "name", "notifications-db").inputs.networksAdvanced).toEqual([{ name: "notifications", aliases: ["db"] }]);
    expect(run.one("docker:index/volume:Volume", "name", "notifications_postgres_data").options.retainOnDelete).toBe(true);
  });

  it("sets the role's password to the stack's at every new database container (a kept volume outlives the stack), on stdin only", () => {
    const set = run.ofType(LOCAL_COMMAND).find((c) => c.name === "notifications-postgres-password")!;
    expect(set.inputs.create).toBe("docker exec -i notifications-db psql --quiet -v ON_ERROR_STOP=1 -U notifications -d notifications >/dev/null");
    expect(set.inputs.stdin).toBe(`ALTER ROLE "notifications" PASSWORD 'generated-notifications-postgres-password';\n`);
    expect(set.secretInputs).toContain("stdin");
    expect(set.dependsOn).toEqual(["notifications-postgres"]);
  });

  it("has the probe sign for the group with the private key, which reaches it on stdin only", () => {
    const probe = run.ofType(LOCAL_COMMAND).find((c) => c.name === "notifications-probe-runs")!;
    expect(probe.inputs.create).toContain("--env TOKEN_PRIVATE_KEY --env GROUP='group-7'");
    expect(probe.inputs.create).not.toContain("PRIVATE KEY-----");
    expect(probe.inputs.stdin).toBe(`${COURSE_NOTIFICATIONS_KEY}\n-----BEGIN PRIVATE KEY-----\\nnotifications-token-key\\n-----END PRIVATE KEY-----\n`);
    expect(probe.secretInputs).toContain("stdin");
  });
});
