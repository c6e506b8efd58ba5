import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerignore, replayDockerBuild } from "@container-labs/test-kit";

describe("dockerignore", () => {
  let context: string;
  beforeEach(() => {
    context = mkdtempSync(join(tmpdir(), "ignore-"));
    writeFileSync(join(context, ".dockerignore"), "from-context\n");
  });
  afterEach(() => rmSync(context, { recursive: true, force: true }));

  it("prefers the Dockerfile's own <dockerfile>.dockerignore to the context's, as BuildKit and docker-build do", () => {
    const dockerfile = join(context, "images", "app.Dockerfile");
    mkdirSync(join(context, "images"));
    writeFileSync(`${dockerfile}.dockerignore`, "from-dockerfile\n");
    expect([dockerignore(context, dockerfile)("from-dockerfile"), dockerignore(context, dockerfile)("from-context")]).toEqual([true, false]);
  });

  it("falls back to the context's .dockerignore, and to nothing", () => {
    expect(dockerignore(context, join(context, "Dockerfile"))("from-context")).toBe(true);
    expect(dockerignore(context)("from-context")).toBe(true);
    rmSync(join(context, ".dockerignore"));
    expect(dockerignore(context)("from-context")).toBe(false);
  });

  it("reads the shared Node Dockerfile's rules as Docker does", () => {
    const images = join(__dirname, "..", "..", "..", "images");
    const ignored = dockerignore(join(images, "webstack", "app"), join(images, "node-service.Dockerfile"));
    expect(["node_modules/x", "dist/main.js", "test/x.test.ts", "README.md"].map(ignored)).toEqual([true, true, true, true]);
    expect(["src/main.ts", "package.json", "static/hello.txt"].map(ignored)).toEqual([false, false, false]);
  });
});

describe("replayDockerBuild", () => {
  let context: string;
  beforeEach(() => {
    context = mkdtempSync(join(tmpdir(), "ctx-"));
    mkdirSync(join(context, "app", "skip"), { recursive: true });
    writeFileSync(join(context, "app", "a.txt"), "a");
    writeFileSync(join(context, "app", "skip", "b.txt"), "b");
    writeFileSync(join(context, ".dockerignore"), "**/skip\n");
  });
  afterEach(() => rmSync(context, { recursive: true, force: true }));

  const dockerfile = (text: string): string => {
    writeFileSync(join(context, "Dockerfile"), text);
    return join(context, "Dockerfile");
  };

  it("copies from the context less ignored files, runs RUN with build args, and copies between stages", async () => {
    const image = await replayDockerBuild({
      context,
      dockerfile: dockerfile([
        "ARG NAME=default",
        "FROM scratch AS build",
        "ARG NAME",
        "WORKDIR /src",
        "COPY app/ ${NAME}/",
        'RUN echo "built $NAME" > out.txt',
        "FROM scratch",
        "ENV MODE=prod",
        "WORKDIR /final",
        "COPY --from=build /src ./",
        'ENTRYPOINT ["node", "main.js"]',
      ].join("\n")),
      buildArgs: { NAME: "given" },
    });
    try {
      expect(readFileSync(join(image.workdir, "out.txt"), "utf8")).toBe("built given\n");
      expect(readFileSync(join(image.workdir, "given", "a.txt"), "utf8")).toBe("a");
      expect(existsSync(join(image.workdir, "given", "skip"))).toBe(false);
      expect(image.entrypoint).toEqual(["node", "main.js"]);
      expect(image.env).toEqual({ MODE: "prod" });
      expect(image.path("/final/out.txt")).toBe(join(image.workdir, "out.txt"));
    } finally {
      image.remove();
    }
  });

  it("starts a stage FROM an earlier one from a copy of it, and stops at the target", async () => {
    const text = [
      "FROM scratch AS runtime",
      "ENV MODE=prod",
      "WORKDIR /app",
      "COPY app/a.txt ./",
      'ENTRYPOINT ["node", "main.js"]',
      "FROM runtime AS job",
      "FROM runtime AS service",
      "RUN touch served",
    ].join("\n");
    const job = await replayDockerBuild({ context, dockerfile: dockerfile(text), target: "job" });
    const service = await replayDockerBuild({ context, dockerfile: dockerfile(text) });
    try {
      expect([job.workdir, job.entrypoint, job.env, existsSync(join(job.workdir, "a.txt"))]).toEqual([job.path("/app"), ["node", "main.js"], { MODE: "prod" }, true]);
      expect(existsSync(join(job.workdir, "served"))).toBe(false);
      expect(existsSync(join(service.workdir, "served"))).toBe(true);
    } finally {
      job.remove();
      service.remove();
    }
  });

  it("starts a stage FROM a replayed image named by a build arg from a copy of its files", async () => {
    const base = await replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nCOPY app/a.txt /files/\n") });
    const image = await replayDockerBuild({
      context,
      dockerfile: dockerfile("ARG BASE\nFROM --platform=$BUILDPLATFORM ${BASE} AS base\nFROM scratch\nCOPY --from=base /files/ /copied/\n"),
      buildArgs: { BASE: "the-base" },
      images: { "the-base": base },
    });
    try {
      expect(readFileSync(image.path("/copied/a.txt"), "utf8")).toBe("a");
    } finally {
      base.remove();
      image.remove();
    }
  });

  it("fails on a COPY source the context does not hold, and on a failing RUN", async () => {
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nCOPY missing/ /x/\n") })).rejects.toThrow(/COPY missing\/: not in the build context/);
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nCOPY app/skip /x/\n") })).rejects.toThrow(/not in the build context/);
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nRUN echo oops >&2 && exit 3\n") })).rejects.toThrow(/RUN .* failed:\noops/);
  });
});
