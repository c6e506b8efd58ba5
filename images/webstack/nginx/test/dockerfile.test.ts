import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DockerfileParser, type Dockerfile } from "dockerfile-ast";
import { DEFAULT_SERVER_LIMITS } from "@container-labs/service-kit";
import { DOCKERFILE_PATH, TEMPLATE_PATH, dockerfileEnv, templateVariables } from "./render";

const IMAGE_DIR = resolve(__dirname, "..");
const dockerfile: Dockerfile = DockerfileParser.parse(readFileSync(DOCKERFILE_PATH, "utf8"));
const env = dockerfileEnv();
/** Every RUN step's text, one after the other. */
const runSteps = dockerfile.getInstructions().filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent()).join("\n");
const templateVars = templateVariables(readFileSync(TEMPLATE_PATH, "utf8"));

describe("the nginx image's Dockerfile, read statically", () => {
  it("builds FROM the official nginx image pinned by version and digest, a build argument so a mirror can stand in", () => {
    const [from, ...more] = dockerfile.getFROMs();
    expect(more).toHaveLength(0);
    expect(from.getImageName()).toBe("${NGINX_IMAGE}");
    const base = dockerfile.getARGs().find((arg) => arg.getProperty()?.getName() === "NGINX_IMAGE")?.getProperty()?.getValue();
    expect(base).toMatch(/^nginx:1\.\d+(\.\d+)?-alpine@sha256:[0-9a-f]{64}$/);
  });

  it("runs unprivileged: the nginx user, no `user` directive, the pid file in /tmp", () => {
    expect(dockerfile.getInstructions().filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent())).toEqual(["nginx"]);
    expect(runSteps).toContain("s,^pid .*,pid /tmp/nginx.pid;,");
    expect(runSteps).toContain("/^user /d");
  });

  it("creates nothing at the app's volume mount points, so a fresh shared volume keeps the app's owner", () => {
    // Docker copies an image's directory (and its owner) into an empty named volume at every mount.
    for (const root of ["STATIC_ROOT", "MEDIA_ROOT"]) expect(runSteps).not.toContain(env.get(root)!.replace(/\/$/, ""));
  });

  it("gives every template variable a default, the contract's: the app by service name on 5000, port 80, the course's volume paths", () => {
    expect(templateVars).toEqual(["APP_UPSTREAM", "CLIENT_MAX_BODY_SIZE", "MEDIA_ROOT", "NGINX_PORT", "STATIC_ROOT", "UPSTREAM_KEEPALIVE_TIMEOUT"]);
    expect(Object.fromEntries(templateVars.map((name) => [name, env.get(name)]))).toEqual({
      APP_UPSTREAM: "app:5000",
      CLIENT_MAX_BODY_SIZE: "11m",
      MEDIA_ROOT: "/home/app/web/mediafiles/",
      NGINX_PORT: "80",
      STATIC_ROOT: "/home/app/web/staticfiles/",
      UPSTREAM_KEEPALIVE_TIMEOUT: "4s",
    });
  });

  it("gives up an idle connection to the app before the app's own keep-alive timeout would close it", () => {
    const seconds = /^(\d+)s$/.exec(env.get("UPSTREAM_KEEPALIVE_TIMEOUT")!)?.[1];
    expect(Number(seconds) * 1000).toBeLessThan(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs);
  });

  it("lets envsubst touch exactly the template's variables, so nginx's own $host and friends survive", () => {
    const filter = new RegExp(env.get("NGINX_ENVSUBST_FILTER")!.replace(/^"|"$/g, ""));
    for (const name of templateVars) expect(name).toMatch(filter);
    for (const name of ["host", "HOSTNAME", "PATH", "HOME", "NGINX_VERSION"]) expect(name).not.toMatch(filter);
  });

  it("copies the template from this directory into the official image's templates dir", () => {
    const copies = dockerfile.getCOPYs().map((copy) => copy.getArguments().map((arg) => arg.getValue()));
    expect(copies).toEqual([["templates/default.conf.template", "/etc/nginx/templates/default.conf.template"]]);
    expect(existsSync(join(IMAGE_DIR, "templates/default.conf.template"))).toBe(true);
  });

  it("runs nginx in the foreground in exec form, with a health check on its own route", () => {
    const [cmd] = dockerfile.getCMDs();
    expect(JSON.parse(cmd.getArgumentsContent() ?? "")).toEqual(["nginx", "-g", "daemon off;"]);
    const healthcheck = dockerfile.getHEALTHCHECKs()[0]?.getArgumentsContent() ?? "";
    expect(healthcheck).toContain("http://127.0.0.1:${NGINX_PORT}/nginx-health");
  });
});
