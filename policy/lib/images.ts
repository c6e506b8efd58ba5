import { stackOf } from "./properties";

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const DIGEST_REFERENCE = /@sha256:[0-9a-f]{64}$/;

/** An image ID (what an engine runs) or a reference pinned by registry digest. */
export function isPinnedImage(image: string): boolean {
  return IMAGE_ID.test(image) || DIGEST_REFERENCE.test(image);
}

/**
 * The tag the program gives images it builds and loads into the local engine
 * without pushing them: `container-labs/<repository>:<stack>`. Such an image
 * has no registry digest to pin (digests come from a registry), and the
 * containers that use it still run it by image ID, which the container check
 * requires; so exactly this name, for this resource's own stack, is exempt.
 */
export function isLocallyBuiltTag(reference: string, urn: string): boolean {
  const match = /^container-labs\/[a-z0-9][a-z0-9._-]*:([A-Za-z0-9_.-]+)$/.exec(reference);
  return match !== null && match[1] === stackOf(urn);
}
