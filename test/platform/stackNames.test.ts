/**
 * Issue 27, item 9: a `local` stack found the jobs a `ci` stack had left in
 * kleeweb's database, because both named the volume `postgres_data`. Under
 * mocks, the names each stack gives what it makes on an engine: volumes
 * (which outlive `down`) carry the stack on the local target, except on the
 * `local` stack, whose names (and its users' data) stay the course's;
 * containers and networks keep the course's names everywhere, because students
 * type them, and carry the stack in a label instead, so `npm run up` can
 * refuse a second stack on a busy engine (test/scripts/otherStacks.test.ts).
 */
import { LAB_VOLUMES } from "../../components/labs";
import { PLATFORM_VOLUMES } from "../../components/platform/stackNames";
import { CONTAINER, LOCAL_COMMAND, container, program, type Run } from "../labs/helpers";
import { runStack } from "../support/mocks";

const VOLUME = "docker:index/volume:Volume";
/** Every volume the labs and the platform declare, by the course's name. */
const COURSE_VOLUMES = [...Object.keys(LAB_VOLUMES), ...PLATFORM_VOLUMES];
const NETWORK = "docker:index/network:Network";

const names = (run: Run, type: string): string[] => run.ofType(type).map((resource) => resource.inputs.name as string).sort();
const label = (run: Run, name: string, key: string): string | undefined =>
  (container(run, name).inputs.labels as Array<{ label: string; value: string }>).find((entry) => entry.label === key)?.value;

describe("two stacks on one engine", () => {
  let local: Run;
  let other: Run;
  let webstack: Run;
  let dev: Run;
  // Every volume: the notifications database is made only with notificationsDatabase.
  const set = { notificationsDatabase: true };
  beforeAll(async () => {
    local = await runStack("local", program, { set });
    // A stack without a stack file is the local target (Pulumi.yaml's default), as `npm run up -- --stack try` makes it.
    other = await runStack("try", program, { set });
    webstack = await runStack("webstack", program, { set });
    dev = await runStack("dev", program, { secrets: { registryToken: "ghp_test" } });
  });

  it("the local stack keeps the course's volume names, which its data already has", () => {
    expect(names(local, VOLUME)).toEqual([...COURSE_VOLUMES].sort());
  });

  it("any other stack on the local target gives each volume its own name: <stack>.<course name>", () => {
    expect(names(other, VOLUME)).toEqual(COURSE_VOLUMES.map((volume) => `try.${volume}`).sort());
    expect(container(other, "kleeweb-db").inputs.volumes).toEqual([{ containerPath: "/var/lib/postgresql/data", readOnly: false, volumeName: "try.postgres_data" }]);
    expect(container(other, "docker-basics-volume-tail").inputs.volumes).toEqual([{ containerPath: "/usr/src/data", readOnly: false, volumeName: "try.t2v" }]);
    // DynamoDB Local's volume is handed to its user by a command that names it.
    const owner = other.ofType(LOCAL_COMMAND).find((command) => command.name === "cmpt756-dynamodb-data-owner")!;
    expect(owner.inputs.create).toContain("--volume 'try.dynamodb-local-data:/home/dynamodblocal/data'");
  });

  it("never takes local's volumes, even when the stack is named like a volume's prefix", () => {
    const localNames = new Set(names(local, VOLUME));
    expect(names(webstack, VOLUME).filter((name) => localNames.has(name))).toEqual([]);
    expect(names(webstack, VOLUME)).toContain("webstack.postgres_data");
  });

  it("keeps each volume's name once made: a rename would leave its data behind (and stop at a protected one)", () => {
    for (const run of [local, other, dev]) {
      expect(run.ofType(VOLUME).map((volume) => [volume.inputs.name, volume.options.ignoreChanges])).toEqual(run.ofType(VOLUME).map((volume) => [volume.inputs.name, ["name"]]));
    }
  });

  it("keeps the course's volume names on a remote target, whose engine is the stack's own machine", () => {
    expect(names(dev, VOLUME)).toEqual(expect.arrayContaining(["postgres_data", "webstack_postgres_data", "t2v"]));
    expect(names(dev, VOLUME).filter((name) => name.includes("."))).toEqual([]);
  });

  it("keeps the course's container and network names on every stack: students type them", () => {
    expect(names(other, CONTAINER)).toEqual(names(local, CONTAINER));
    expect(names(other, NETWORK)).toEqual(names(local, NETWORK));
    expect(names(other, CONTAINER)).toEqual(expect.arrayContaining(["dockercoins-webui", "docker-basics-signals-exec", "kleeweb-worker-1"]));
  });

  it("labels every container with its stack", () => {
    for (const [stack, run] of [["local", local], ["try", other], ["dev", dev]] as const) {
      const stacks = new Set(run.ofType(CONTAINER).map((resource) => label(run, resource.inputs.name, "container-labs.stack")));
      expect([stack, [...stacks]]).toEqual([stack, [stack]]);
    }
  });
});
