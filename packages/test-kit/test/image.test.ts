import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerignore, replayDockerBuild } from "@container-labs/test-kit";

describe("dockerignore", () => {
  it("reads the repository's own rules as Docker does", () => {
    const ignored = dockerignore(join(__dirname, "..", "..", ".."));
    expect(ignored("node_modules")).toBe(true); // **/ may match no folder
    expect(ignored("packages/service-kit/node_modules/x")).toBe(true);
    expect(ignored("images/a/b/dist/main.js")).toBe(true);
    expect(ignored("images/a/b/test/x.test.ts")).toBe(true);
    expect(ignored("README.md")).toBe(true);
    expect(ignored("images/a/b/src/main.ts")).toBe(false);
    expect(ignored("package-lock.json")).toBe(false);
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

  it("fails on a COPY source the context does not hold, and on a failing RUN", async () => {
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nCOPY missing/ /x/\n") })).rejects.toThrow(/COPY missing\/: not in the build context/);
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nCOPY app/skip /x/\n") })).rejects.toThrow(/not in the build context/);
    await expect(replayDockerBuild({ context, dockerfile: dockerfile("FROM scratch\nRUN echo oops >&2 && exit 3\n") })).rejects.toThrow(/RUN .* failed:\noops/);
  });
});
