/**
 * What the program asks docker-build for matches the repository: every
 * Dockerfile and build context exists, contexts follow each Dockerfile's own
 * header, every Node service named exists, and every image is pinned.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BUILT_IMAGES } from "../../config";
import { buildContextOf, REPO_ROOT } from "../images/repo-files";
import { runStack } from "../support/mocks";
import { program, type Run } from "./helpers";

describe.each(["local", "dev"])("the images of the %s stack", (stack) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, { secrets: { ghcrToken: "ghp_test" } });
  });

  it("builds every lab image, once", () => {
    expect(run.ofType("docker-build:index:Image")).toHaveLength(BUILT_IMAGES.length);
  });

  it("builds each from an existing Dockerfile, in the context that Dockerfile expects", () => {
    for (const build of run.ofType("docker-build:index:Image")) {
      const dockerfile = build.inputs.dockerfile.location as string;
      expect(existsSync(dockerfile)).toBe(true);
      const expected = buildContextOf(path.relative(REPO_ROOT, dockerfile), readFileSync(dockerfile, "utf8")).directory;
      expect([build.name, path.resolve(build.inputs.context.location)]).toEqual([build.name, path.resolve(expected)]);
      const service = build.inputs.buildArgs?.SERVICE as string | undefined;
      if (service) expect(existsSync(path.join(REPO_ROOT, "images", service, "src/main.ts"))).toBe(true);
    }
  });

  it("pulls every third-party image by digest, and runs containers by image ID", () => {
    for (const image of run.ofType("docker:index/remoteImage:RemoteImage")) {
      const builtHere = /^container-labs\/[a-z0-9-]+:local$/.test(image.inputs.name);
      if (!builtHere) expect(image.inputs.name).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    for (const container of run.ofType("docker:index/container:Container")) expect(container.inputs.image).toMatch(/^sha256:/);
  });
});
