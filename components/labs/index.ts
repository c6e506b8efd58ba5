import { cmpt756 } from "./cmpt756";
import { dockerBasics } from "./dockerBasics";
import { dockercoins } from "./dockercoins";
import { kleeweb } from "./kleeweb";
import type { LabImages, LabModule, LabVolumes } from "./lab";
import { notifications } from "./notifications";
import { webstack } from "./webstack";

/** Every lab the program can deploy, by the name config's `labs` uses, in the order the README lists them. */
export const LABS = {
  "docker-basics": dockerBasics,
  notifications,
  cmpt756,
  webstack,
  dockercoins,
  kleeweb,
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each lab has its own settings type
} satisfies Record<string, LabModule<any>>;

export type LabName = keyof typeof LABS;
export const LAB_NAMES = Object.keys(LABS) as LabName[];

/** Each lab's typed settings, by lab name. */
export type LabSettings = { [K in LabName]: (typeof LABS)[K] extends LabModule<infer S> ? S : never };

/**
 * How each of the labs' images is built, by `<lab>/<service>`: the one list of
 * the labs' images, assembled from each lab's own (its folder's images.ts),
 * which the program (Platform.image, config's imageOverrides) and the tests
 * (static checks, real builds) read.
 */
export const IMAGE_BUILDS: LabImages<BuiltImage> = Object.assign({}, ...LAB_NAMES.map((lab) => LABS[lab].images));

/** One of the labs' images, as `<lab>/<service>`: the keys `imageOverrides` accepts. */
export type BuiltImage = { [K in LabName]: keyof (typeof LABS)[K]["images"] }[LabName];
export const BUILT_IMAGES = Object.keys(IMAGE_BUILDS) as BuiltImage[];

/**
 * Every named volume of the labs, by the course's name, with what each lab
 * says of it: the labs' own lists (each module's volumes), assembled, which
 * the program (Platform.volume) and `npm run down` read.
 */
export const LAB_VOLUMES: LabVolumes = Object.assign({}, ...LAB_NAMES.map((lab) => LABS[lab].volumes));

/** Each Node server's contract (port, health route) as its image states it, by image. */
export const NODE_SERVERS = Object.fromEntries(
  Object.entries(IMAGE_BUILDS).flatMap(([image, source]) => (source.server ? [[image, source.server]] : [])),
) as Readonly<Record<BuiltImage, { port: number; healthPath: string }>>;
