/**
 * What the program asks docker-build for is what IMAGE_BUILDS describes: the
 * workspace image once, then every lab image from its Dockerfile and context,
 * with its target, and the workspace image as WORKSPACE_IMAGE where it builds
 * FROM it; every Node service named exists, and every image is pinned.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { BUILT_IMAGES } from "../../config";
import { IMAGE_BUILDS } from "../../components/labs";
import { WORKSPACE_BUILD, type BuildSource } from "../../components/platform/image";
import { REPO_ROOT } from "../images/repo-files";
import { runStack } from "../support/mocks";
import { program, type Run } from "./helpers";

describe.each(["local", "dev"])("the images of the %s stack", (stack) => {
  let run: Run;
  beforeAll(async () => {
    run = await runStack(stack, program, { secrets: { registryToken: "ghp_test" } });
  });

  it("builds the workspace image and every lab image, once each", () => {
    expect(run.ofType("docker-build:index:Image")).toHaveLength(BUILT_IMAGES.length + 1);
  });

  it("builds each from the Dockerfile, context and target IMAGE_BUILDS gives it", () => {
    const described = (source: BuildSource) => ({
      dockerfile: path.join(REPO_ROOT, source.dockerfile),
      context: path.join(REPO_ROOT, source.context),
      target: source.target,
    });
    const asked = run.ofType("docker-build:index:Image").map((build) => ({
      dockerfile: build.inputs.dockerfile.location as string,
      context: path.resolve(build.inputs.context.location as string),
      target: build.inputs.target as string | undefined,
    }));
    const sort = (list: { dockerfile: string; context: string }[]) => [...list].sort((a, b) => `${a.dockerfile}${a.context}`.localeCompare(`${b.dockerfile}${b.context}`));
    expect(sort(asked)).toEqual(sort([WORKSPACE_BUILD, ...Object.values(IMAGE_BUILDS)].map(described)));
    for (const build of run.ofType("docker-build:index:Image")) {
      expect(existsSync(build.inputs.dockerfile.location)).toBe(true);
      const service = build.inputs.buildArgs?.SERVICE as string | undefined;
      if (service) expect(existsSync(path.join(REPO_ROOT, "images", service, "src/main.ts"))).toBe(true);
    }
  });

  it("gives every Node image the workspace image as WORKSPACE_IMAGE, and no other image", () => {
    const withWorkspace = run.ofType("docker-build:index:Image").filter((build) => build.inputs.buildArgs?.WORKSPACE_IMAGE);
    expect(withWorkspace.map((build) => build.inputs.buildArgs.SERVICE).sort()).toEqual(
      Object.values(IMAGE_BUILDS).filter((source) => source.usesWorkspace).map((source) => source.buildArgs!.SERVICE).sort(),
    );
    expect(new Set(withWorkspace.map((build) => build.inputs.buildArgs.WORKSPACE_IMAGE)).size).toBe(1);
  });

  it("pulls every third-party image by digest, and runs containers by image ID", () => {
    for (const image of run.ofType("docker:index/remoteImage:RemoteImage")) {
      const builtHere = /^container-labs\/[a-z0-9-]+:local$/.test(image.inputs.name);
      if (!builtHere) expect(image.inputs.name).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    for (const container of run.ofType("docker:index/container:Container")) expect(container.inputs.image).toMatch(/^sha256:/);
  });
});
