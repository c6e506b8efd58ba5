/**
 * The Dockerfile rules against small good and bad Dockerfiles: each rule must
 * flag the violation it exists for and pass the file that keeps it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerignoreMatcher } from "@container-labs/test-kit";
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
  type BuildContext,
} from "./dockerfile-rules";

const DIGEST = `sha256:${"a".repeat(64)}`;
const PINNED = `node:22.21.1-bookworm-slim@${DIGEST}`;
const dockerfile = (...lines: string[]): string => `${lines.join("\n")}\n`;

describe("unpinnedBaseImageProblems", () => {
  it("passes images pinned by version and digest, directly or through an ARG default, and FROMs of earlier stages", () => {
    const text = dockerfile(`ARG BASE=${PINNED}`, "FROM ${BASE} AS build", `FROM --platform=linux/amd64 ${PINNED}`, "FROM build AS again", "FROM scratch");
    expect(unpinnedBaseImageProblems(text)).toEqual([]);
  });

  it.each([
    ["a tag alone", "FROM node:22.21.1-bookworm-slim"],
    ["a digest alone", `FROM node@${DIGEST}`],
    ["latest with a digest", `FROM node:latest@${DIGEST}`],
    ["a codename that is no version", `FROM node:bookworm-slim@${DIGEST}`],
    ["a short digest", "FROM node:22@sha256:abc123"],
  ])("flags %s", (_, from) => {
    expect(unpinnedBaseImageProblems(dockerfile(from))).toEqual([`line 1: ${from.replace("FROM ", "FROM ")} is not pinned as name:version@sha256:<64 hex>`]);
  });

  it("flags an ARG whose default is not pinned, and one with no default, saying what the FROM resolves to", () => {
    const text = dockerfile("ARG BASE=node:22", "ARG OTHER", "FROM ${BASE}", "FROM ${OTHER}");
    expect(unpinnedBaseImageProblems(text)).toEqual([
      'line 3: FROM ${BASE} (${BASE} resolves to "node:22") is not pinned as name:version@sha256:<64 hex>',
      "line 4: FROM ${OTHER} is not pinned as name:version@sha256:<64 hex>",
    ]);
  });
});

describe("unpinnedBaseImageProblems with internal build arguments", () => {
  it("passes a FROM of an image the program builds itself, named by a build argument with no default, and nothing else", () => {
    const text = dockerfile("ARG WORKSPACE_IMAGE", "ARG OTHER", "FROM --platform=$BUILDPLATFORM ${WORKSPACE_IMAGE} AS workspace", "FROM ${OTHER}");
    expect(unpinnedBaseImageProblems(text, new Set(["WORKSPACE_IMAGE"]))).toEqual(["line 4: FROM ${OTHER} is not pinned as name:version@sha256:<64 hex>"]);
  });
});

describe("baseImageDefaultProblems", () => {
  const pinned = new Map([["NODE_IMAGE", PINNED]]);

  it("passes a default equal to the pinned reference, and a file that does not declare the argument", () => {
    expect(baseImageDefaultProblems(dockerfile(`ARG NODE_IMAGE=${PINNED}`, "FROM ${NODE_IMAGE}"), pinned)).toEqual([]);
    expect(baseImageDefaultProblems(dockerfile(`ARG BASE=node:20.0.0@${DIGEST}`, "FROM ${BASE}"), pinned)).toEqual([]);
  });

  it("flags a default that differs from the pinned reference, naming both", () => {
    const other = `node:20.0.0-bookworm-slim@${DIGEST}`;
    expect(baseImageDefaultProblems(dockerfile(`ARG NODE_IMAGE=${other}`, "FROM ${NODE_IMAGE}"), pinned)).toEqual([`ARG NODE_IMAGE defaults to ${other}, where the program pins ${PINNED}`]);
  });
});

describe("hardCodedBaseImageProblems", () => {
  it("passes bases named by a build argument, earlier stages and scratch", () => {
    expect(hardCodedBaseImageProblems(dockerfile(`ARG BASE=${PINNED}`, "FROM ${BASE} AS build", "FROM build", "FROM scratch"))).toEqual([]);
  });

  it("flags a base written into the FROM, which no mirror can replace", () => {
    expect(hardCodedBaseImageProblems(dockerfile(`FROM ${PINNED}`))).toEqual([`line 1: FROM ${PINNED} names its base directly, not through a build argument a mirror can set`]);
  });
});

describe("syntaxDirectiveProblems", () => {
  it("flags a # syntax= line, which makes every build fetch a frontend from a registry", () => {
    expect(syntaxDirectiveProblems(dockerfile("# syntax=docker/dockerfile:1.7", `FROM ${PINNED}`))).toEqual([
      "line 1: a # syntax= directive makes every build fetch that frontend from a registry",
    ]);
    expect(syntaxDirectiveProblems(dockerfile("# a comment about syntax", `FROM ${PINNED}`))).toEqual([]);
  });
});

describe("rules over a target built FROM an earlier stage", () => {
  const text = dockerfile(`FROM ${PINNED} AS runtime`, "USER node", 'ENTRYPOINT ["node"]', "FROM runtime AS job", "FROM runtime AS service", "EXPOSE 80", "HEALTHCHECK CMD true");

  it("reads the instructions the target inherits: its USER, and a HEALTHCHECK only where it has one", () => {
    expect(rootRuntimeProblems(text)).toEqual([]);
    expect(rootRuntimeProblems(text, "job")).toEqual([]);
    expect(missingHealthcheckProblems(text, "service")).toEqual([]);
    expect(missingHealthcheckProblems(text, "job")).toEqual(["the runtime stage serves HTTP but has no HEALTHCHECK"]);
  });

  it("flags HEALTHCHECK and EXPOSE in a job's target, inherited or not", () => {
    expect(serverMetadataProblems(text, "job")).toEqual([]);
    expect(serverMetadataProblems(text, "service")).toEqual(["line 6: EXPOSE in an image that runs no server", "line 7: HEALTHCHECK in an image that runs no server"]);
  });
});

describe("rootRuntimeProblems", () => {
  it("passes a last stage whose last USER is not root", () => {
    expect(rootRuntimeProblems(dockerfile(`FROM ${PINNED} AS build`, `FROM ${PINNED}`, "USER root", "RUN true", "USER node"))).toEqual([]);
  });

  it("flags a last stage without USER, even when an earlier stage has one", () => {
    expect(rootRuntimeProblems(dockerfile(`FROM ${PINNED} AS build`, "USER node", `FROM ${PINNED}`))).toEqual([
      "the runtime (last) stage sets no USER, so it runs as the base image's user (root for most)",
    ]);
  });

  it.each(["root", "0", "0:0", "root:node"])("flags USER %s", (user) => {
    expect(rootRuntimeProblems(dockerfile(`FROM ${PINNED}`, `USER ${user}`))).toEqual([`line 2: the runtime stage runs as ${user.split(":")[0]}`]);
  });
});

describe("entrypointFormProblems", () => {
  const execForm = dockerfile(`FROM ${PINNED}`, 'ENTRYPOINT ["node", "dist/main.js"]', 'CMD ["hello"]');
  const shellForm = dockerfile(`FROM ${PINNED}`, "ENTRYPOINT node dist/main.js", 'CMD ["hello"]');

  it("passes exec form where exec form is expected", () => {
    expect(entrypointFormProblems(execForm, "exec")).toEqual([]);
  });

  it("flags a shell-form ENTRYPOINT or CMD where exec form is expected, including JSON Docker would not take as exec form", () => {
    const text = dockerfile(`FROM ${PINNED}`, "ENTRYPOINT node dist/main.js", "CMD ['single', 'quotes']");
    expect(entrypointFormProblems(text, "exec")).toEqual([
      "line 2: ENTRYPOINT node dist/main.js is not exec form",
      "line 3: CMD ['single', 'quotes'] is not exec form",
    ]);
  });

  it("passes the counter-example's shell-form ENTRYPOINT, whatever its CMD, and flags an exec-form or missing one where shell form is the point", () => {
    expect(entrypointFormProblems(shellForm, "shell")).toEqual([]);
    expect(entrypointFormProblems(execForm, "shell")).toEqual(['line 2: ENTRYPOINT ["node", "dist/main.js"] is not shell form']);
    expect(entrypointFormProblems(dockerfile(`FROM ${PINNED}`, "CMD node main.js"), "shell")).toEqual(["expected a shell-form ENTRYPOINT, found none"]);
  });

  it("does not take a HEALTHCHECK's CMD for the image's CMD", () => {
    const text = dockerfile(`FROM ${PINNED}`, "HEALTHCHECK CMD wget -q http://127.0.0.1/ || exit 1", 'ENTRYPOINT ["nginx"]');
    expect(entrypointFormProblems(text, "exec")).toEqual([]);
  });
});

describe("missingHealthcheckProblems", () => {
  it("passes a runtime stage with a HEALTHCHECK", () => {
    expect(missingHealthcheckProblems(dockerfile(`FROM ${PINNED}`, 'HEALTHCHECK CMD ["node", "healthcheck.js"]'))).toEqual([]);
  });

  it("flags a runtime stage without one, or with HEALTHCHECK NONE, even if the build stage has one", () => {
    const expected = ["the runtime stage serves HTTP but has no HEALTHCHECK"];
    expect(missingHealthcheckProblems(dockerfile(`FROM ${PINNED} AS build`, "HEALTHCHECK CMD true", `FROM ${PINNED}`))).toEqual(expected);
    expect(missingHealthcheckProblems(dockerfile(`FROM ${PINNED}`, "HEALTHCHECK NONE"))).toEqual(expected);
  });
});

describe("runtimeBaseImage", () => {
  it("resolves the last FROM through the ARG defaults", () => {
    expect(runtimeBaseImage(dockerfile(`ARG BASE=nginx:1.27-alpine@${DIGEST}`, `FROM ${PINNED} AS build`, "FROM ${BASE}"))).toBe(`nginx:1.27-alpine@${DIGEST}`);
  });
});

describe("dockerignoreMatcher", () => {
  const isIgnored = dockerignoreMatcher(["# comment", "**/node_modules", "*.md", "test", "docs/", "!docs/keep.md"].join("\n"));

  it.each(["node_modules", "images/a/node_modules/x", "README.md", "test/x.ts", "docs/a.txt"])("ignores %s", (path) => {
    expect(isIgnored(path)).toBe(true);
  });

  it.each(["images/a/README.md", "images/a/test/x.ts", "images/a/src/main.ts", "docs/keep.md", "package.json"])("keeps %s", (path) => {
    expect(isIgnored(path)).toBe(false);
  });
});

describe("missingCopySourceProblems", () => {
  let context: BuildContext;
  beforeAll(() => {
    const directory = mkdtempSync(join(tmpdir(), "build-context-"));
    mkdirSync(join(directory, "images/lab/service"), { recursive: true });
    mkdirSync(join(directory, "templates"));
    for (const file of ["package.json", "notes.md", "templates/site.conf.template"]) writeFileSync(join(directory, file), "");
    context = { directory, isIgnored: dockerignoreMatcher("*.md") };
  });
  afterAll(() => rmSync(context.directory, { recursive: true, force: true }));

  it("passes sources that exist, with build arguments and ARG defaults substituted, globs that match, and copies from stages", () => {
    const text = dockerfile(
      `FROM ${PINNED}`,
      "ARG TEMPLATES=templates",
      "ARG SERVICE",
      "COPY package.json ./",
      'COPY ["images/${SERVICE}/", "/app/"]',
      "COPY --chown=node:node ${TEMPLATES}/*.template /etc/",
      "COPY --from=build /src/dist dist/",
      "ADD https://example.com/file.tgz /tmp/",
    );
    expect(missingCopySourceProblems(text, context, new Map([["SERVICE", "lab/service"]]))).toEqual([]);
  });

  it("flags sources that are missing, ignored, outside the context, unmatched or unresolvable", () => {
    const text = dockerfile(
      `FROM ${PINNED}`,
      "ARG SERVICE",
      "COPY package.json package-lock.json ./",
      "COPY notes.md ./",
      "COPY ../secrets ./",
      "ADD templates/*.conf /etc/",
      "COPY images/${SERVICE}/ ./",
    );
    expect(missingCopySourceProblems(text, context)).toEqual([
      "line 3: COPY source package-lock.json does not exist in the build context",
      "line 4: COPY source notes.md is excluded from the build context by .dockerignore",
      "line 5: COPY source ../secrets is outside the build context",
      "line 6: ADD source templates/*.conf matches nothing in the build context",
      "line 7: COPY source images/${SERVICE}/ uses a variable with no value, so it cannot be checked",
    ]);
  });
});
