import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir, PREPARE_ENGINE_COMMAND, requireEngine, requireFixture, requireStandins, type Engine } from "@container-labs/test-kit";

describe("cacheDir", () => {
  it("is CONTAINER_LABS_CACHE, else container-labs under XDG_CACHE_HOME, else under ~/.cache, as the scripts compute it", () => {
    expect(cacheDir({ CONTAINER_LABS_CACHE: "/c", XDG_CACHE_HOME: "/x" })).toBe("/c");
    expect(cacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/container-labs");
    expect(cacheDir({ HOME: "/h" })).toBe("/h/.cache/container-labs");
  });

  it("takes an empty variable for an unset one, and joins with a plain slash, as the shell's ${VAR:-...}/container-labs does", () => {
    expect(cacheDir({ CONTAINER_LABS_CACHE: "", XDG_CACHE_HOME: "", HOME: "/h" })).toBe("/h/.cache/container-labs");
    expect(cacheDir({ XDG_CACHE_HOME: "/x/" })).toBe("/x//container-labs");
  });

  it("is what bin/cache-dir.ts prints for the shell scripts", () => {
    const printed = execFileSync(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", join(__dirname, "..", "bin", "cache-dir.ts")], {
      env: { ...process.env, CONTAINER_LABS_CACHE: "", XDG_CACHE_HOME: "/x" },
      encoding: "utf8",
    });
    expect(printed).toBe("/x/container-labs\n");
  });
});

describe("without a prepared engine", () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), "engine-cache-"));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it("requireEngine fails, naming the socket and the command that starts the engine", async () => {
    await expect(requireEngine({ ...process.env, CONTAINER_LABS_CACHE: cache })).rejects.toThrow(
      `the private Docker engine does not answer at unix://${cache}/engine/docker.sock: run \`${PREPARE_ENGINE_COMMAND}\` first`,
    );
  });

  it("requireStandins fails, naming the missing refs.json or the missing stand-ins, and the command that builds them", async () => {
    const env = { ...process.env, CONTAINER_LABS_CACHE: cache };
    const engine: Engine = { dockerHost: "unix:///nowhere", socketPath: "/nowhere", env };
    await expect(requireStandins(engine, env)).rejects.toThrow(`no stand-in images (${cache}/standins/refs.json is missing): run \`${PREPARE_ENGINE_COMMAND}\` first`);
    mkdirSync(join(cache, "standins"));
    writeFileSync(join(cache, "standins", "refs.json"), JSON.stringify({ node: "n@sha256:1" }));
    await expect(requireStandins(engine, env)).rejects.toThrow("lacks nginx, redis, postgres, dynamodb-local, klee");
  });

  it("requireFixture fails, naming fixtures.json and the command that builds the fixtures", async () => {
    const env = { ...process.env, CONTAINER_LABS_CACHE: cache };
    const engine: Engine = { dockerHost: "unix:///nowhere", socketPath: "/nowhere", env };
    await expect(requireFixture(engine, "machine", env)).rejects.toThrow(`no machine fixture image (${cache}/standins/fixtures.json does not name one): run \`${PREPARE_ENGINE_COMMAND}\` first`);
  });
});
