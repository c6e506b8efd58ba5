/**
 * Issue 27, item 10: what `npm run down` leaves, and `--purge`, which removes
 * it all, after printing exactly what it removes. Only the stack's own: its
 * volumes by name (components/platform/stackNames.ts), its images by their
 * `:<stack>` tag, its data directory; another stack's on the same engine stay.
 * Against a stand-in for the Engine API (test/support/fakeEngine.ts); the
 * whole command, with a stand-in pulumi, in test/scripts/down.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeLeftovers, describePurge, describeRemoteLeftovers, findLeftovers, purgeEngine } from "../../scripts/labs/leftovers";
import { startFakeEngine, TWO_STACKS, type FakeEngine } from "../support/fakeEngine";

const MANAGED = { "container-labs.managed-by": "pulumi" };
const GIB = 1024 ** 3;

let engine: FakeEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** A data directory with the labs' files in it. */
function dataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "labs-data-")), "ci");
  mkdirSync(join(dir, "notifications"), { recursive: true });
  writeFileSync(join(dir, "notifications", "latencies.txt"), "0.002\n");
  return dir;
}

describe("down's report", () => {
  it("finds the stack's own leftovers only: its volumes by name, its images by tag, its data directory", async () => {
    engine = await startFakeEngine(TWO_STACKS);
    const dir = dataDir();
    expect(await findLeftovers(engine.endpoint, "ci", ["ci.postgres_data"], dir)).toEqual({
      protectedVolumes: ["ci.postgres_data"],
      retainedVolumes: ["ci.dynamodb-local-data", "ci.webstack_media"],
      images: [
        { tag: "container-labs/dockercoins-rng:ci", bytes: 0.25 * GIB },
        { tag: "container-labs/kleeweb-web:ci", bytes: 0.5 * GIB },
      ],
      dataDir: dir,
    });
    expect(await findLeftovers(engine.endpoint, "local", ["postgres_data"], join(dir, "missing"))).toEqual({
      protectedVolumes: ["postgres_data"],
      retainedVolumes: ["webstack_postgres_data"],
      images: [
        { tag: "container-labs/dockercoins-rng:local", bytes: 0.25 * GIB },
        { tag: "container-labs/kleeweb-web:local", bytes: 0.5 * GIB },
      ],
      dataDir: undefined,
    });
    expect(engine.requests).toContain('GET /images/json?filters={"reference":["container-labs/*:ci"]}');
  });

  it("says what stays with the command that removes each, and ends with the one that removes it all", async () => {
    engine = await startFakeEngine(TWO_STACKS);
    const dir = dataDir();
    const report = describeLeftovers(await findLeftovers(engine.endpoint, "ci", ["ci.postgres_data"], dir), "ci");
    expect(report.split("\n")).toEqual([
      "Left on purpose:",
      "Protected, still in the stack (Pulumi also counts the components above them as protected): ci.postgres_data",
      "  remove: npm run pulumi -- config set kleewebProtectDatabase false --stack ci && npm run up -- --stack ci && npm run down -- --stack ci, then the volume as below",
      "Data volumes kept on the engine (the next up finds their data): ci.dynamodb-local-data, ci.webstack_media",
      "  remove: docker volume rm ci.dynamodb-local-data ci.webstack_media",
      "Images built here: 2 tags, 0.8 GiB counted image by image, less on disk where they share layers (docker system df)",
      "  remove: docker image rm container-labs/dockercoins-rng:ci container-labs/kleeweb-web:ci",
      `The labs' files (latencies, docker-basics' file): ${dir}`,
      `  remove: rm -r ${dir}`,
      "Remove it all, the data included: npm run down -- --stack ci --purge",
    ]);
  });

  it("gives the local stack's purge line without --stack, and says when nothing is left", async () => {
    engine = await startFakeEngine(TWO_STACKS);
    const report = describeLeftovers(await findLeftovers(engine.endpoint, "local", [], "/nonexistent"), "local");
    expect(report.split("\n").at(-1)).toBe("Remove it all, the data included: npm run down -- --purge");
    const empty = await startFakeEngine({});
    try {
      expect(describeLeftovers(await findLeftovers(empty.endpoint, "local", [], "/nonexistent"), "local")).toBe("Nothing is left: no volume, image or file of the labs.");
    } finally {
      await empty.close();
    }
  });
});

describe("--purge", () => {
  it("prints every item it removes before removing any", async () => {
    engine = await startFakeEngine(TWO_STACKS);
    const dir = dataDir();
    const leftovers = await findLeftovers(engine.endpoint, "ci", ["ci.postgres_data"], dir);
    expect(describePurge(leftovers, "ci").split("\n")).toEqual([
      'Purging the stack "ci" removes, data included:',
      "  protected volumes (protection lifted, then destroyed with what is left of the stack): ci.postgres_data",
      "  data volumes: ci.dynamodb-local-data, ci.webstack_media",
      "  images built here (2 tags, 0.8 GiB counted image by image, less on disk where they share layers (docker system df)): container-labs/dockercoins-rng:ci, container-labs/kleeweb-web:ci",
      `  the labs' files: ${dir}`,
    ]);
    // Describing removes nothing.
    expect(engine.requests.filter((request) => request.startsWith("DELETE"))).toEqual([]);
  });

  it("removes the stack's retained volumes, its image tags and its data directory, and nothing of another stack's", async () => {
    engine = await startFakeEngine(TWO_STACKS);
    const dir = dataDir();
    const leftovers = await findLeftovers(engine.endpoint, "ci", ["ci.postgres_data"], dir);
    expect(await purgeEngine(engine.endpoint, leftovers)).toEqual([]);
    expect(engine.requests.filter((request) => request.startsWith("DELETE"))).toEqual([
      "DELETE /volumes/ci.dynamodb-local-data",
      "DELETE /volumes/ci.webstack_media",
      "DELETE /images/container-labs/dockercoins-rng:ci",
      "DELETE /images/container-labs/kleeweb-web:ci",
    ]);
    expect(existsSync(dir)).toBe(false);
    // The protected volume is still the stack's: `npm run down --purge` destroys it through Pulumi (down.test.ts).
    expect(engine.contents.volumes.map((volume) => volume.Name)).toEqual(["postgres_data", "webstack_postgres_data", "ci.postgres_data", "ci.notes", "someone-elses"]);
    expect(engine.contents.images.map((image) => image.RepoTags)).toEqual([["container-labs/dockercoins-rng:local"], ["container-labs/kleeweb-web:local"], ["postgres:16"]]);
    // With the protected one destroyed (as Pulumi does it, from the engine), nothing of ci is found any more.
    engine.contents.volumes.splice(engine.contents.volumes.findIndex((volume) => volume.Name === "ci.postgres_data"), 1);
    expect(describeLeftovers(await findLeftovers(engine.endpoint, "ci", [], dir), "ci")).toBe("Nothing is left: no volume, image or file of the labs.");
  });

  it("says what it could not remove, and why", async () => {
    engine = await startFakeEngine({ volumes: [{ Name: "ci.webstack_media", Labels: { ...MANAGED }, inUse: true }] });
    const leftovers = await findLeftovers(engine.endpoint, "ci", [], "/nonexistent");
    expect(await purgeEngine(engine.endpoint, leftovers)).toEqual(['volume ci.webstack_media: HTTP 409: {"message":"remove ci.webstack_media: volume is in use"}']);
  });
});

describe("a remote target's leftovers", () => {
  it("are named with where they are, since --purge reaches only this machine's engine", () => {
    expect(describeRemoteLeftovers("ec2", "dev", ["postgres_data"]).split("\n")).toEqual([
      "Left on purpose, on the ec2 target (--purge removes only what the local target leaves on this machine's engine):",
      "  protected, still in the stack: postgres_data (remove: npm run pulumi -- config set kleewebProtectDatabase false --stack dev && npm run up -- --stack dev && npm run down -- --stack dev)",
      "  the data volume (EBS, retained) with the named volumes and the labs' files: delete it in the console (EC2 > Volumes, tag container-labs:holds) once you no longer need them",
      "  in the registry: the images pushed there, tagged :dev (delete them with the registry's own tools, e.g. a ghcr.io package's settings)",
    ]);
    expect(describeRemoteLeftovers("ssh", "box", [])).toContain("on the machine: the data volumes (there: docker volume ls --filter label=container-labs.managed-by=pulumi, then docker volume rm)");
  });
});
