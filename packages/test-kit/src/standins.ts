/**
 * The stand-in images scripts/standins/build.sh makes on the private engine,
 * in the order it builds them: the Debian base of the others; one stand-in for
 * each external image the program uses, by that image's name (EXTERNAL_IMAGES,
 * the names the `externalImages` setting takes); and the test fixtures, which
 * the tests run in place of what the program never runs itself.
 *
 * Run by Node directly (bin/standins.ts, for build.sh): its imports name their
 * .ts files and are files that import nothing else.
 */
import { EXTERNAL_IMAGES, type ExternalImage } from "../../../policy/lib/externalImages.ts";

/** A stand-in the program references (through the ci stack's externalImages, from refs.json). */
export type Standin = ExternalImage;
export const STANDINS = Object.keys(EXTERNAL_IMAGES) as Standin[];

/** The images only the tests run (fixtures.json): a cloud instance, ghcr.io. */
export const FIXTURES = ["machine", "registry"] as const;
export type Fixture = (typeof FIXTURES)[number];

/** One recipe of build.sh, a folder scripts/standins/<name>/. */
export interface StandinRecipe {
  name: string;
  /** base: what the others build on; standin: in refs.json; fixture: in fixtures.json. */
  role: "base" | "standin" | "fixture";
  /** The image it builds FROM (its BASE build argument): an earlier recipe's, or the debootstrap import. */
  buildsOn: string;
  /** What it stands in for: its label container-labs.standin.replaces. */
  replaces: string;
}

const BASE = "debian";
const DEBOOTSTRAP = "debootstrap";
/** Stand-ins built on another than the Debian base: DynamoDB Local's is a Node program (dynalite). */
const BUILT_ON: Partial<Record<Standin, Standin>> = { "dynamodb-local": "node" };

const FIXTURE_REPLACES: Record<Fixture, string> = {
  machine: "an Ubuntu instance of the ec2 target (a machine booted by cloud-init)",
  registry: "the OCI registry of the ssh and ec2 targets (ghcr.io), as registry:2 with TLS and htpasswd",
};

/** The image a stand-in replaces: the pinned reference without its digest, which a stand-in cannot keep. */
function replaced(name: Standin, nodeVersion: string): string {
  const image = EXTERNAL_IMAGES[name].split("@")[0];
  // The node stand-in carries the Node the tests run on (.node-version), not the pinned image's.
  return name === "node" ? `${image}, at Node ${nodeVersion}` : image;
}

/** Every recipe, each after the one it builds on; `nodeVersion` is .node-version's. */
export function standinRecipes(nodeVersion: string): StandinRecipe[] {
  return [
    { name: BASE, role: "base", buildsOn: DEBOOTSTRAP, replaces: "the Debian base of the other stand-ins" },
    ...STANDINS.map((name): StandinRecipe => ({ name, role: "standin", buildsOn: BUILT_ON[name] ?? BASE, replaces: replaced(name, nodeVersion) })),
    ...FIXTURES.map((name): StandinRecipe => ({ name, role: "fixture", buildsOn: BASE, replaces: FIXTURE_REPLACES[name] })),
  ];
}
