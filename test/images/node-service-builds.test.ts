/**
 * Every Node image, built without Docker by replaying its build as the
 * program describes it (IMAGE_BUILDS): the workspace image, then the shared
 * Dockerfile in the service's own directory (test-kit's replayNodeImage).
 * Installs and compiles from only what the Dockerfiles copy, and ends with
 * the entry point and production dependencies alone. Slow (two `npm ci` per
 * image), so it runs once per image.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { replayNodeImage } from "@container-labs/test-kit";
import { IMAGE_BUILDS } from "../../components/platform/builds";
import { REPO_ROOT } from "./repo-files";

const nodeBuilds = Object.entries(IMAGE_BUILDS).filter(([, source]) => source.usesWorkspace);

describe.each(nodeBuilds)("the %s image", (_, source) => {
  // WRITABLE_DIRS stays out: RUN steps replay on this machine, where absolute directories and the node user are not the image's.
  const { WRITABLE_DIRS: _absoluteDirs, ...buildArgs } = source.buildArgs!;
  const service = buildArgs.SERVICE;
  it("builds from the workspace image and the shared Dockerfile, and keeps only what runs", async () => {
    const image = await replayNodeImage({ repoRoot: REPO_ROOT, service, target: source.target, buildArgs });
    try {
      expect(image.entrypoint).toEqual(["node", "dist/main.js"]);
      expect(image.workdir).toBe(image.path(`/app/images/${service}`));
      expect(existsSync(join(image.workdir, "dist/main.js"))).toBe(true);
      expect(existsSync(image.path("/app/packages/service-kit/dist/healthcheck.js"))).toBe(true);
      // The toolchain stays in the build stage.
      expect(existsSync(image.path("/app/node_modules/typescript"))).toBe(false);
      expect(existsSync(image.path("/app/node_modules/@pulumi"))).toBe(false);
    } finally {
      image.remove();
    }
  }, 300000);
});
