/**
 * bin/standins.ts: the recipes scripts/standins/build.sh reads, in its build
 * order. A stand-in's tag is a hash of its recipe and of the image it builds
 * on, so what each builds on is part of every cached stand-in's name.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EXTERNAL_IMAGES } from "../../../policy/lib/externalImages";

const CLI = join(__dirname, "..", "bin", "standins.ts");
const STANDINS_DIR = join(__dirname, "..", "..", "..", "scripts", "standins");

function standins(args: string[]) {
  const run = spawnSync(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", CLI, ...args], { encoding: "utf8" });
  const recipes = run.stdout
    .trimEnd()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [name, role, buildsOn, replaces] = line.split("\t");
      return { name, role, buildsOn, replaces };
    });
  return { status: run.status, stderr: run.stderr, recipes };
}

const { status, stderr, recipes } = standins(["24.22.3"]);

it("prints every recipe once, each after the one it builds on, the Debian base first on the debootstrap import", () => {
  expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
  expect(recipes[0]).toEqual({ name: "debian", role: "base", buildsOn: "debootstrap", replaces: "the Debian base of the other stand-ins" });
  const names = recipes.map((recipe) => recipe.name);
  expect(new Set(names).size).toBe(names.length);
  const onALaterOne = recipes.slice(1).filter((recipe, index) => !names.slice(0, index + 1).includes(recipe.buildsOn));
  expect(onALaterOne).toEqual([]);
});

it("has a stand-in for each external image the program uses, by its name, replacing it as pinned but for the digest", () => {
  const standinLines = recipes.filter((recipe) => recipe.role === "standin");
  expect(standinLines.map((recipe) => recipe.name)).toEqual(Object.keys(EXTERNAL_IMAGES));
  for (const recipe of standinLines) expect(recipe.replaces.split(",")[0]).toBe(EXTERNAL_IMAGES[recipe.name as keyof typeof EXTERNAL_IMAGES].split("@")[0]);
});

it("builds DynamoDB Local's stand-in on the node stand-in, and the node stand-in carries the Node it is given", () => {
  expect(recipes.find((recipe) => recipe.name === "dynamodb-local")?.buildsOn).toBe("node");
  expect(recipes.find((recipe) => recipe.name === "node")).toEqual({ name: "node", role: "standin", buildsOn: "debian", replaces: "node:24.21.0-bookworm-slim, at Node 24.22.3" });
});

it("has the two test fixtures, the machine and the registry, on the Debian base", () => {
  expect(recipes.filter((recipe) => recipe.role === "fixture").map(({ name, buildsOn }) => [name, buildsOn])).toEqual([["machine", "debian"], ["registry", "debian"]]);
});

it("names only recipes that have their folder under scripts/standins", () => {
  expect(recipes.map((recipe) => recipe.name).filter((name) => !existsSync(join(STANDINS_DIR, name, "Dockerfile")))).toEqual([]);
});

it("refuses to run without the Node version, saying how to call it", () => {
  expect(standins([])).toEqual({ status: 2, stderr: "usage: standins.ts NODE_VERSION\n", recipes: [] });
});
