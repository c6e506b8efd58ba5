/**
 * The external images the labs use (bases of our builds, and images run as
 * they are), each pinned by version and digest so a deployment is the same
 * every time. The `externalImages` setting maps any of them to another
 * reference: a mirror behind a classroom's NAT, a site's internal registry,
 * or the tests' stand-ins, made one for each by these names.
 *
 * Kept in policy/lib, the bottom library (as the address arithmetic), in a
 * file that imports nothing: the program (components/platform/images.ts
 * hands it on), the test kit and the stand-in build
 * (packages/test-kit/src/standins.ts, which Node runs directly for
 * scripts/standins/build.sh) all read it from below.
 */
export const EXTERNAL_IMAGES = {
  /**
   * Base of every Node image we build (NODE_IMAGE build argument; the Dockerfiles' defaults say the same).
   * Digest: the image index docker-library/repo-info lists in repos/node/remote/24.21.0-bookworm-slim.md
   * (commit 3179cb4d576b9929bf86873c87f279ac67661c6e). 24.21.0 is the newest Node 24 with a published
   * digest that could be read here; the tests run 24.22.3 (.node-version): see the README.
   */
  node: "node:24.21.0-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6",
  /** Base of the webstack and kleeweb nginx images (NGINX_IMAGE build argument). */
  nginx: "nginx:1.27-alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
  redis: "redis:7.4.1-alpine@sha256:c1e88455c85225310bbea54816e9c3f4b5295815e6dbf80c34d40afc6df28275",
  postgres: "postgres:16.4-alpine@sha256:5660c2cbfea50c7a9127d17dc4e48543eedd3d7a41a595a2dfa572471e37e64c",
  "dynamodb-local": "amazon/dynamodb-local:2.5.4@sha256:cf8cebd061f988628c02daff10fdb950a54478feff9c52f6ddf84710fe3c3906",
  /** The kleeweb worker's job image (KLEE 3.0), pulled on the host beforehand so jobs never wait for it. */
  klee: "klee/klee:3.0@sha256:05a6be25f3d58cfbc3a5592b965ea06e00405a475ad3f418f3f900f09d31d9bd",
} as const;

export type ExternalImage = keyof typeof EXTERNAL_IMAGES;
export const EXTERNAL_IMAGE_NAMES = Object.keys(EXTERNAL_IMAGES) as ExternalImage[];
