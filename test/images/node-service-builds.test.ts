/**
 * Every Node service's image, built without Docker by replaying the shared
 * Dockerfile (test-kit's replayDockerBuild): installs and compiles from only
 * what the Dockerfile copies, and ends with the entry point and production
 * dependencies alone. Slow (two `npm ci` per service), so it runs once per service.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { replayDockerBuild } from "@container-labs/test-kit";
import { NODE_SERVICE_DOCKERFILE, REPO_ROOT, nodeServiceWorkspaces } from "./repo-files";

describe.each(nodeServiceWorkspaces().map((workspace) => workspace.service))("the %s image", (service) => {
  it("builds from the shared Dockerfile and keeps only what runs", async () => {
    const image = await replayDockerBuild({
      context: REPO_ROOT,
      dockerfile: join(REPO_ROOT, NODE_SERVICE_DOCKERFILE),
      buildArgs: { SERVICE: service, PORT: "8080" },
    });
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
