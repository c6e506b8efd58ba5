/**
 * Every one of the 18 lab images, built for real on the private engine from
 * its Dockerfile with the stand-in bases, through the same build description
 * the program uses (IMAGE_BUILDS, buildArgsFor), comes out as intended:
 * a non-root user, an exec-form entry point
 * (but the shell-form lesson), a healthcheck where there is a health route
 * and none on the one-shot probe; and a Node image built from the workspace
 * keeps only what runs. Needs the engine and the stand-ins:
 * `scripts/test-engine.sh start && scripts/standins/build.sh`.
 */
import { docker, inspectImage, type ImageConfig } from "@container-labs/test-kit";
import { IMAGE_BUILDS, NODE_SERVERS } from "../../components/labs";
import { builder, type Builder } from "./builds";

/** What each image's config must say, beyond building. */
interface Expected {
  user: RegExp;
  entrypoint: string[];
  healthcheck: boolean;
  exposed: string[];
}

/** The shared Node Dockerfile's (images/node-service.Dockerfile: V8 told to keep its heap small, see there). */
const NODE_SERVICE_ENTRYPOINT = ["node", "--optimize-for-size", "dist/main.js"];
/** docker-basics' images: the lessons' own Dockerfiles. */
const LESSON_NODE_ENTRYPOINT = ["node", "dist/main.js"];
const NGINX_ENTRYPOINT = ["/docker-entrypoint.sh"];

function expected(image: keyof typeof IMAGE_BUILDS): Expected {
  if (image in NODE_SERVERS) {
    return { user: /^node$/, entrypoint: NODE_SERVICE_ENTRYPOINT, healthcheck: true, exposed: [`${NODE_SERVERS[image as keyof typeof NODE_SERVERS].port}/tcp`] };
  }
  switch (image) {
    case "notifications/latency-probe":
      return { user: /^node$/, entrypoint: NODE_SERVICE_ENTRYPOINT, healthcheck: false, exposed: [] };
    case "docker-basics/signals-shell":
      return { user: /^node$/, entrypoint: ["/bin/sh", "-c", "node dist/main.js"], healthcheck: false, exposed: [] };
    case "docker-basics/tcp-server":
      return { user: /^node$/, entrypoint: LESSON_NODE_ENTRYPOINT, healthcheck: false, exposed: ["1234/tcp"] };
    case "webstack/nginx":
    case "kleeweb/nginx":
      return { user: /^nginx$/, entrypoint: NGINX_ENTRYPOINT, healthcheck: true, exposed: ["80/tcp"] };
    default:
      return { user: /^node$/, entrypoint: LESSON_NODE_ENTRYPOINT, healthcheck: false, exposed: [] };
  }
}

/** Which of `paths` exist in image `id`, asked of its own node with no network. */
async function existing(id: string, paths: string[]): Promise<string[]> {
  const script = `console.log(JSON.stringify(${JSON.stringify(paths)}.filter((p) => require("fs").existsSync(p))))`;
  return JSON.parse(await docker(images.engine, ["run", "--rm", "--network", "none", "--entrypoint", "node", id, "-e", script]));
}

let images: Builder;
beforeAll(async () => {
  images = await builder();
}, 60_000);

describe.each(Object.entries(IMAGE_BUILDS))("the %s image", (name, source) => {
  let config: ImageConfig;
  const want = expected(name as keyof typeof IMAGE_BUILDS);

  let id: string;
  it("builds from its Dockerfile on the private engine, with the stand-in base", async () => {
    id = await images.build(name, source);
    config = await inspectImage(images.engine, id);
    expect(config.Id).toBe(id);
  }, 900_000);

  it(`runs as ${want.user.source === "^$" ? "root (by design)" : "a non-root user"}, from an ${want.entrypoint[0] === "/bin/sh" ? "shell" : "exec"}-form entry point`, () => {
    expect(config.Config.User).toMatch(want.user);
    expect(config.Config.Entrypoint).toEqual(want.entrypoint);
  });

  it(want.healthcheck ? "has a healthcheck" : "has no healthcheck", () => {
    expect(Boolean(config.Config.Healthcheck?.Test?.length)).toBe(want.healthcheck);
  });

  it(`exposes ${want.exposed.join(", ") || "no port"}`, () => {
    expect(Object.keys(config.Config.ExposedPorts ?? {}).sort()).toEqual(want.exposed);
  });

  if (source.usesWorkspace) {
    it("keeps only what runs: its compiled entry point and the kit's healthcheck, not the build's toolchain", async () => {
      const service = source.buildArgs!.SERVICE;
      expect(config.Config.WorkingDir).toBe(`/app/images/${service}`);
      const runs = [`/app/images/${service}/dist/main.js`, "/app/packages/service-kit/dist/healthcheck.js"];
      const toolchain = ["/app/node_modules/typescript", "/app/node_modules/@pulumi"];
      expect(await existing(id, [...runs, ...toolchain])).toEqual(runs);
    }, 60_000);
  }
});
