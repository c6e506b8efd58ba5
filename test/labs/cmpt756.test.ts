import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startCmpt756, type Cmpt756Processes } from "../../images/cmpt756/test/support/stack";
import { resolve, runStack, sharedRun } from "../support/mocks";
import { CONTAINER, container, env, GENERATED_SECRET, LOCAL_COMMAND, program, publishIp, type Run } from "./helpers";

const TABLE = "aws:dynamodb/table:Table";

/** The lines of the first sh block of the README's cmpt756 section. */
function readmeTryBlock(): string[] {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n### cmpt756\n"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("the README's cmpt756 section has no sh block");
  return block[1].trimEnd().split("\n");
}
const LOCAL_TABLE = "pulumi-nodejs:dynamic/container-labs:LocalDynamoTable";

describe("the cmpt756 lab on the dev stack (real DynamoDB, images on ghcr.io)", () => {
  let run: Run;
  beforeAll(async () => {
    run = await sharedRun("dev", program, { secrets: { registryToken: "ghp_test" } });
  });

  it("creates User-<stack> and Music-<stack> with their string hash keys, on demand, with PITR and encryption", () => {
    const user = run.one(TABLE, "name", "User-dev");
    const music = run.one(TABLE, "name", "Music-dev");
    expect([user.inputs.hashKey, user.inputs.attributes]).toEqual(["user_id", [{ name: "user_id", type: "S" }]]);
    expect([music.inputs.hashKey, music.inputs.attributes]).toEqual(["music_id", [{ name: "music_id", type: "S" }]]);
    for (const table of [user, music]) {
      expect(table.inputs.billingMode).toBe("PAY_PER_REQUEST");
      expect(table.inputs.pointInTimeRecovery).toEqual({ enabled: true });
      expect(table.inputs.serverSideEncryption).toEqual({ enabled: true });
      expect(table.provider ?? "").not.toMatch(/dynamodb-provider/);
    }
  });

  it("provisions 5/5 as the course did when asked", async () => {
    const provisioned = await runStack("dev", program, { secrets: { registryToken: "t" }, set: { cmpt756Billing: "provisioned" } });
    expect(provisioned.one(TABLE, "name", "User-dev").inputs).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 });
  });

  it("grants the host's role only the item and query actions db uses, on exactly the two tables", () => {
    const [policy] = run.ofType("aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toBe("host-role");
    const document = JSON.parse(policy.inputs.policy);
    expect(document.Statement).toEqual([{
      Effect: "Allow",
      Action: ["dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/User-dev", "arn:aws:dynamodb:eu-west-1:123456789012:table/Music-dev"],
    }]);
    expect(JSON.stringify(document)).not.toContain("*");
  });

  it("gives no container AWS keys: db gets its region and tables, credentials come from the instance role", () => {
    for (const c of run.ofType(CONTAINER)) {
      const names = ((c.inputs.envs ?? []) as string[]).map((entry) => entry.split("=")[0]);
      expect(names).not.toContain("AWS_ACCESS_KEY_ID");
      expect(names).not.toContain("AWS_SECRET_ACCESS_KEY");
    }
    expect(env(run, "cmpt756-db")).toMatchObject({ TABLE_SUFFIX: "dev", AWS_REGION: "eu-west-1" });
    expect(env(run, "cmpt756-db").DYNAMODB_ENDPOINT).toBeUndefined();
    expect(run.ofType("docker:index/container:Container").map((c) => c.inputs.name)).not.toContain("dynamodb-local");
  });

  it("pushes the three images to ghcr.io/<owner>/cmpt756-<service>", () => {
    const tags = run.ofType("docker-build:index:Image").map((image) => image.inputs.tags[0]).filter((tag: string) => tag.includes("cmpt756"));
    expect(tags.sort()).toEqual(["ghcr.io/container-labs/cmpt756-db:dev", "ghcr.io/container-labs/cmpt756-s1:dev", "ghcr.io/container-labs/cmpt756-s2:dev"]);
  });

  it("opens s1 and s2 to the allowed network, and not db", () => {
    const ports = (run.ofType("aws:ec2/securityGroup:SecurityGroup")[0].inputs.ingress as Array<{ fromPort: number }>).map((rule) => rule.fromPort);
    expect(ports).toEqual(expect.arrayContaining([30000, 30001]));
    expect(ports).not.toContain(30002);
  });
});

describe.each(["local", "dev"])("the cmpt756 services on the %s stack", (stack) => {
  let run: Run;
  beforeAll(async () => {
    run = await sharedRun(stack, program, { secrets: { registryToken: "ghp_test" } });
  });

  it("puts s1, s2 and db on one network, db reached by name, s1 and s2 published, db on loopback only", () => {
    for (const name of ["cmpt756-s1", "cmpt756-s2"]) {
      expect(container(run, name).inputs.networksAdvanced).toEqual([{ name: "cmpt756", aliases: [name.replace("cmpt756-", "")] }]);
    }
    // On EC2 db alone also joins the one network that may obtain the instance role's credentials (test/platform/ec2Host.test.ts).
    expect(container(run, "cmpt756-db").inputs.networksAdvanced).toEqual([
      { name: "cmpt756", aliases: ["db"] },
      ...(stack === "dev" ? [{ name: "aws-credentials", aliases: ["db"], gwPriority: 1 }] : []),
    ]);
    expect(container(run, "cmpt756-s1").inputs.ports).toEqual([{ internal: 30000, external: 30000, ip: publishIp(stack), protocol: "tcp" }]);
    expect(container(run, "cmpt756-s2").inputs.ports).toEqual([{ internal: 30001, external: 30001, ip: publishIp(stack), protocol: "tcp" }]);
    expect(container(run, "cmpt756-db").inputs.ports).toEqual([{ internal: 30002, external: 30002, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(env(run, "cmpt756-s1").DB_URL).toBe("http://db:30002/api/v1/datastore");
    expect(env(run, "cmpt756-s2").DB_URL).toBe("http://db:30002/api/v1/datastore");
  });

  it("signs tokens with one generated secret shared by s1 and s2, and protects /load with a generated token, all secret", () => {
    expect(env(run, "cmpt756-s1").JWT_SECRET).toBe("generated-cmpt756-jwt-secret");
    expect(env(run, "cmpt756-s2").JWT_SECRET).toBe("generated-cmpt756-jwt-secret");
    expect(env(run, "cmpt756-db").SVC_LOADER_TOKEN).toBe("generated-cmpt756-loader-token");
    for (const name of ["cmpt756-s1", "cmpt756-s2", "cmpt756-db"]) expect(container(run, name).secretInputs).toContain("envs");
    expect(run.one(GENERATED_SECRET, "length", 48).name).toBe("cmpt756-jwt-secret");
  });

  it("seeds nothing unless asked, and then once through db's /load", async () => {
    expect(run.ofType(CONTAINER).map((c) => c.inputs.name)).not.toContain("cmpt756-seed");
    const seeded = await runStack(stack, program, { secrets: { registryToken: "t" }, set: { cmpt756Seed: true } });
    const seed = seeded.one(CONTAINER, "name", "cmpt756-seed");
    expect([seed.inputs.entrypoints, seed.inputs.command]).toEqual([["node"], ["dist/load.js", "http://db:30002/api/v1/datastore"]]);
    expect(seed.inputs.mustRun).toBe(false);
    expect(seed.dependsOn).toEqual(["cmpt756-db"]);
  });

  it("exports the users and music API URLs and the table names", async () => {
    const lab = run.outputs.labs.cmpt756!;
    const host = stack === "dev" ? "203.0.113.10" : "localhost";
    expect(await resolve(lab.urls.usersApi)).toBe(`http://${host}:30000/api/v1/user/`);
    expect(await resolve(lab.urls.musicApi)).toBe(`http://${host}:30001/api/v1/music/`);
    expect(await resolve(lab.details!.tables)).toEqual([`User-${stack}`, `Music-${stack}`]);
  });
});

describe("the cmpt756 lab on the local stack (DynamoDB Local)", () => {
  let run: Run;
  beforeAll(async () => {
    run = await sharedRun("local", program);
  });

  it("runs a pinned DynamoDB Local with its data on a named volume, published on loopback only", () => {
    const local = container(run, "dynamodb-local");
    expect(local.inputs.image).toBe("sha256:image-id-of-cmpt756-dynamodb-image");
    const pulled = run.ofType("docker:index/remoteImage:RemoteImage").find((i) => i.name === "cmpt756-dynamodb-image")!;
    expect(pulled.inputs.name).toMatch(/^amazon\/dynamodb-local:[\d.]+@sha256:[0-9a-f]{64}$/);
    expect(local.inputs.volumes).toEqual([{ containerPath: "/home/dynamodblocal/data", readOnly: false, volumeName: "dynamodb-local-data" }]);
    expect(local.inputs.ports).toEqual([{ internal: 8000, external: 18000, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(run.one("docker:index/volume:Volume", "name", "dynamodb-local-data").options.retainOnDelete).toBe(true);
  });

  it("creates the same tables in DynamoDB Local without any AWS provider, after it starts", () => {
    expect(run.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws")).toEqual([]);
    const tables = run.ofType(LOCAL_TABLE);
    expect(tables.map((t) => [t.name, t.inputs.tableName, t.inputs.hashKey, t.inputs.billing])).toEqual([
      ["cmpt756-tables-User-local", "User-local", "user_id", "on-demand"],
      ["cmpt756-tables-Music-local", "Music-local", "music_id", "on-demand"],
    ]);
    for (const table of tables) {
      expect(table.inputs.endpoint).toBe("http://localhost:18000");
      expect(table.dependsOn).toEqual(["cmpt756-dynamodb"]);
    }
  });

  it("runs DynamoDB Local as the image's own user, on a volume a short-lived root container (CHOWN only, no network, pids-limited) hands to that user", () => {
    expect(container(run, "dynamodb-local").inputs.user).toBeUndefined();
    expect(run.ofType(CONTAINER).filter((c) => c.inputs.user === "root" || c.inputs.user === "0")).toEqual([]);
    const owner = run.ofType(LOCAL_COMMAND).find((c) => c.name === "cmpt756-dynamodb-data-owner")!;
    expect(owner.inputs.create).toMatch(/^docker run --rm --user 0 --network none --read-only --cap-drop ALL --cap-add CHOWN --security-opt no-new-privileges:true --pids-limit 8 --memory 32m --memory-swap 32m .*--label 'container-labs.runs-as-root=chown: .*' --volume 'dynamodb-local-data:\/home\/dynamodblocal\/data' --entrypoint chown 'sha256:[^']+' 'dynamodblocal:' '\/home\/dynamodblocal\/data'$/);
    expect(container(run, "dynamodb-local").dependsOn).toEqual(["cmpt756-dynamodb-data-owner"]);
  });

  it("prints the README's Try lines (create a user, log in, create a song with the token, read both), on this stack's URLs", async () => {
    const printed = await Promise.all(run.outputs.labs.cmpt756!.tryIt.map((line) => resolve(line)));
    expect(printed).toEqual(readmeTryBlock());
    expect(printed.join("\n")).toContain(`-X POST http://localhost:30001/api/v1/music/ -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN"`);
  });

  it("points db at DynamoDB Local by name and grants nothing in IAM", () => {
    expect(env(run, "cmpt756-db")).toMatchObject({ DYNAMODB_ENDPOINT: "http://dynamodb-local:8000", TABLE_SUFFIX: "local" });
    expect(run.ofType("aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });
});

describe("the README's Try lines, run as printed by sh against s1, s2 and db as processes (over dynalite)", () => {
  let lab: Cmpt756Processes;
  beforeAll(async () => {
    lab = await startCmpt756("local");
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("create a user, log in, create a song with the token, and read both back", async () => {
    // Only the published ports change, to the processes' own.
    const script = readmeTryBlock().join("\n")
      .replaceAll("http://localhost:30000/", lab.s1.url("/"))
      .replaceAll("http://localhost:30001/", lab.s2.url("/"));
    // Not execFileSync: dynalite runs in this process and must keep answering db meanwhile.
    const { stdout } = await promisify(execFile)("sh", ["-c", script], { encoding: "utf8" });
    const [userId, token, musicId, song, user] = stdout.trimEnd().split("\n");
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(musicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(song).Items).toEqual([{ music_id: musicId, Artist: "Nina Simone", SongTitle: "Feeling Good" }]);
    expect(JSON.parse(user).Items).toEqual([{ user_id: userId, fname: "Ada", lname: "Lovelace", email: "ada@example.org" }]);
  });
});
