/**
 * The rules of dockerfile-rules.ts over every Dockerfile under images/, found
 * at run time, plus the contract of the Node service workspaces that
 * images/node-service.Dockerfile builds.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  entrypointFormProblems,
  missingCopySourceProblems,
  missingHealthcheckProblems,
  rootRuntimeProblems,
  runtimeBaseImage,
  unpinnedBaseImageProblems,
  type EntrypointForm,
} from "./dockerfile-rules";
import { buildContextOf, dockerfiles, NODE_SERVICE_DOCKERFILE, nodeServiceWorkspaces, readRepoFile, REPO_ROOT } from "./repo-files";

/** Shell form on purpose: the file is the lesson's counter-example (labs.md §1, demo-1). */
const SHELL_FORM_COUNTER_EXAMPLES = new Set(["images/docker-basics/signals/Dockerfile.shell"]);

/** Runtime stages that may run as root, each with the reason its author gave. */
const ROOT_ALLOWED: ReadonlyMap<string, string> = new Map([
  [
    "images/webstack/nginx/Dockerfile",
    "nginx's master binds port 80 and the official entrypoint renders the config into /etc/nginx/conf.d; the workers that handle requests run as the unprivileged nginx user",
  ],
]);

/** Images that serve HTTP: every Node service (they all have a health route) and every nginx. */
function servesHttp(path: string, text: string): boolean {
  const imageName = runtimeBaseImage(text)?.split(/[:@]/)[0] ?? "";
  return path === NODE_SERVICE_DOCKERFILE || /(^|\/)nginx[^/]*$/.test(imageName);
}

const found = dockerfiles();

it("finds the shared Node Dockerfile and the docker-basics images among the Dockerfiles", () => {
  expect(found).toEqual(expect.arrayContaining([NODE_SERVICE_DOCKERFILE, ...SHELL_FORM_COUNTER_EXAMPLES, "images/docker-basics/signals/Dockerfile.exec"]));
});

describe.each(found)("%s", (path) => {
  const text = readRepoFile(path);

  it("pins every base image by version and digest", () => {
    expect(unpinnedBaseImageProblems(text)).toEqual([]);
  });

  const rootReason = ROOT_ALLOWED.get(path);
  if (rootReason) {
    it(`may run as root: ${rootReason}`, () => {
      expect(rootRuntimeProblems(text)).not.toEqual([]);
    });
  } else {
    it("runs its runtime stage as a non-root USER", () => {
      expect(rootRuntimeProblems(text)).toEqual([]);
    });
  }

  const form: EntrypointForm = SHELL_FORM_COUNTER_EXAMPLES.has(path) ? "shell" : "exec";
  it(`writes ENTRYPOINT and CMD in ${form} form`, () => {
    expect(entrypointFormProblems(text, form)).toEqual([]);
  });

  if (servesHttp(path, text)) {
    it("has a HEALTHCHECK, since it serves HTTP", () => {
      expect(missingHealthcheckProblems(text)).toEqual([]);
    });
  }

  if (path !== NODE_SERVICE_DOCKERFILE) {
    it("copies only files that are in its build context", () => {
      expect(missingCopySourceProblems(text, buildContextOf(path, text))).toEqual([]);
    });
  }
});

describe(`${NODE_SERVICE_DOCKERFILE}, built once per Node service workspace`, () => {
  const text = readRepoFile(NODE_SERVICE_DOCKERFILE);
  const context = buildContextOf(NODE_SERVICE_DOCKERFILE, text);

  it("is built from the repository root", () => {
    expect(context.directory).toBe(REPO_ROOT);
  });

  const workspaces = nodeServiceWorkspaces();
  if (workspaces.length === 0) return;
  describe.each(workspaces.map((workspace) => [workspace.service, workspace] as const))("SERVICE=%s", (_, workspace) => {
    it("copies only files that are in the build context", () => {
      expect(missingCopySourceProblems(text, context, new Map([["SERVICE", workspace.service]]))).toEqual([]);
    });

    it("has the build and start scripts the image runs, and src/main.ts", () => {
      expect(Object.keys(workspace.packageJson.scripts ?? {})).toEqual(expect.arrayContaining(["build", "start"]));
      expect(existsSync(join(REPO_ROOT, workspace.directory, "src", "main.ts"))).toBe(true);
    });
  });
});
