/**
 * The rules of dockerfile-rules.ts over every Dockerfile under images/, found
 * at run time, and over every build the program makes (IMAGE_BUILDS, the
 * workspace image): each copies only what its context holds, and each
 * context holds nothing of another image's directory, so an edit under
 * images/<lab>/<service>/ changes that image's build inputs alone.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUILT_IMAGES } from "../../config";
import { IMAGE_BUILDS } from "../../components/labs";
import { BASE_IMAGE_ARGS, WORKSPACE_BUILD, WORKSPACE_IMAGE_ARG, type BaseImage, type BuildSource } from "../../components/platform/image";
import { EXTERNAL_IMAGES } from "../../components/platform/images";
import {
  baseImageDefaultProblems,
  entrypointFormProblems,
  hardCodedBaseImageProblems,
  missingCopySourceProblems,
  missingHealthcheckProblems,
  rootRuntimeProblems,
  runtimeBaseImage,
  serverMetadataProblems,
  syntaxDirectiveProblems,
  unpinnedBaseImageProblems,
  type EntrypointForm,
} from "./dockerfile-rules";
import { buildContext, contextFiles, dockerfiles, NODE_SERVICE_DOCKERFILE, nodeServiceWorkspaces, readRepoFile, REPO_ROOT } from "./repo-files";

/** Shell form on purpose: the file is the lesson's counter-example (labs.md §1, demo-1). */
const SHELL_FORM_COUNTER_EXAMPLES = new Set(["images/docker-basics/signals/Dockerfile.shell"]);

/** Images that are files only, never run: the workspace image the Node images copy from. */
const FILES_ONLY = new Set([WORKSPACE_BUILD.dockerfile]);

/** Images that serve HTTP: every Node service (they all have a health route) and every nginx. */
function servesHttp(path: string, text: string): boolean {
  const imageName = runtimeBaseImage(text)?.split(/[:@]/)[0] ?? "";
  return path === NODE_SERVICE_DOCKERFILE || /(^|\/)nginx[^/]*$/.test(imageName);
}

const found = dockerfiles();
/** NODE_IMAGE and NGINX_IMAGE to the references components/platform/images.ts pins. */
const pinnedBases = new Map((Object.keys(BASE_IMAGE_ARGS) as BaseImage[]).map((base) => [BASE_IMAGE_ARGS[base], EXTERNAL_IMAGES[base]]));
const builds: [string, BuildSource][] = [["workspace", WORKSPACE_BUILD], ...Object.entries(IMAGE_BUILDS)];

it("finds the shared Node Dockerfile, the workspace image and the docker-basics images among the Dockerfiles", () => {
  expect(found).toEqual(expect.arrayContaining([NODE_SERVICE_DOCKERFILE, WORKSPACE_BUILD.dockerfile, ...SHELL_FORM_COUNTER_EXAMPLES, "images/docker-basics/signals/Dockerfile.exec"]));
});

it("builds with every Dockerfile under images/, and builds all 18 images", () => {
  expect(new Set(builds.map(([, source]) => source.dockerfile))).toEqual(new Set(found));
  expect(Object.keys(IMAGE_BUILDS).sort()).toEqual([...BUILT_IMAGES].sort());
});

describe.each(found)("%s", (path) => {
  const text = readRepoFile(path);

  it("has no # syntax= directive, so builds need no registry for their frontend", () => {
    expect(syntaxDirectiveProblems(text)).toEqual([]);
  });

  it("takes every external base image as a build argument whose default is pinned by version and digest", () => {
    expect(hardCodedBaseImageProblems(text)).toEqual([]);
    expect(unpinnedBaseImageProblems(text, new Set([WORKSPACE_IMAGE_ARG]))).toEqual([]);
  });

  it("defaults NODE_IMAGE and NGINX_IMAGE to the references the program pins (components/platform/images.ts)", () => {
    expect(baseImageDefaultProblems(text, pinnedBases)).toEqual([]);
  });

  if (FILES_ONLY.has(path)) return;

  it("runs its runtime stage as a non-root USER", () => {
    expect(rootRuntimeProblems(text)).toEqual([]);
  });

  const form: EntrypointForm = SHELL_FORM_COUNTER_EXAMPLES.has(path) ? "shell" : "exec";
  it(`writes ENTRYPOINT and CMD in ${form} form`, () => {
    expect(entrypointFormProblems(text, form)).toEqual([]);
  });

  if (servesHttp(path, text)) {
    it("has a HEALTHCHECK, since it serves HTTP", () => {
      expect(missingHealthcheckProblems(text)).toEqual([]);
    });
  }
});

describe.each(builds)("the %s build", (_, source) => {
  const text = readRepoFile(source.dockerfile);

  it("copies only files that are in its build context, with the build args the program passes", () => {
    const args = new Map(Object.entries({ ...source.buildArgs }));
    expect(missingCopySourceProblems(text, buildContext(source), args)).toEqual([]);
  });

  if (source.target === "job") {
    it("is a one-shot job: its target has no HEALTHCHECK or EXPOSE, and runs as a non-root USER", () => {
      expect(serverMetadataProblems(text, source.target)).toEqual([]);
      expect(rootRuntimeProblems(text, source.target)).toEqual([]);
    });
  } else if (source.target) {
    it(`has a HEALTHCHECK in its target ${source.target}, and runs as a non-root USER`, () => {
      expect(missingHealthcheckProblems(text, source.target)).toEqual([]);
      expect(rootRuntimeProblems(text, source.target)).toEqual([]);
    });
  }

  if (source !== WORKSPACE_BUILD) {
    // Its own directory: the context, or for a lesson built from the root, the Dockerfile's folder.
    const ownDirectory = source.context === "." ? dirname(source.dockerfile) : source.context;
    it(`sends no file under images/ but its own ${ownDirectory}/ in its context`, () => {
      expect(contextFiles(source).filter((file) => file.startsWith("images/") && !file.startsWith(`${ownDirectory}/`))).toEqual([]);
    });
  }
});

it("keeps the workspace image's context to the lockfile, the root package.json, tsconfig.base.json and the sources of packages/ but the tests' kit", () => {
  const files = contextFiles(WORKSPACE_BUILD);
  expect(files).toEqual(expect.arrayContaining(["package.json", "package-lock.json", "tsconfig.base.json", "packages/service-kit/src/index.ts"]));
  expect(files.filter((file) => !["package.json", "package-lock.json", "tsconfig.base.json"].includes(file) && !file.startsWith("packages/"))).toEqual([]);
  expect(files.filter((file) => /\/(node_modules|dist|test)\//.test(file))).toEqual([]);
  expect(files.filter((file) => file.startsWith("packages/test-kit/"))).toEqual([]);
});

describe("the Node service workspaces", () => {
  const workspaces = nodeServiceWorkspaces();
  const built = new Set(Object.values(IMAGE_BUILDS).map((source) => source.buildArgs?.SERVICE));

  it("are each built with the shared Dockerfile", () => {
    expect(workspaces.map((workspace) => workspace.service).filter((service) => !built.has(service))).toEqual([]);
  });

  describe.each(workspaces.map((workspace) => [workspace.service, workspace] as const))("%s", (_, workspace) => {
    it("has the build and start scripts the image runs, and src/main.ts", () => {
      expect(Object.keys(workspace.packageJson.scripts ?? {})).toEqual(expect.arrayContaining(["build", "start"]));
      expect(existsSync(join(REPO_ROOT, workspace.directory, "src", "main.ts"))).toBe(true);
    });
  });
});
