/** What each build passes: its own args, its bases' mirrored references, the workspace image. */
import { IMAGE_BUILDS, NODE_SERVERS } from "../../components/labs";
import { buildArgsFor } from "../../components/platform/image";

const mirror = { node: "127.0.0.1:5959/standin/node@sha256:1", nginx: "127.0.0.1:5959/standin/nginx@sha256:2" };

it("passes a Node service its contract, the mirrored Node base and the workspace image", () => {
  expect(buildArgsFor(IMAGE_BUILDS["cmpt756/s1"], { mirror, workspace: "workspace:local-abc" })).toEqual({
    SERVICE: "cmpt756/s1",
    PORT: String(NODE_SERVERS["cmpt756/s1"].port),
    HEALTH_PATH: "/api/v1/user/health",
    NODE_IMAGE: mirror.node,
    WORKSPACE_IMAGE: "workspace:local-abc",
  });
});

it("passes an nginx image only its mirrored base, and leaves the Dockerfile's pinned default without a mirror", () => {
  expect(buildArgsFor(IMAGE_BUILDS["kleeweb/nginx"], { mirror })).toEqual({ NGINX_IMAGE: mirror.nginx });
  expect(buildArgsFor(IMAGE_BUILDS["kleeweb/nginx"], { mirror: { node: mirror.node } })).toEqual({});
  expect(buildArgsFor(IMAGE_BUILDS["docker-basics/signals-exec"], {})).toEqual({});
});

it("builds the probe as the shared Dockerfile's job target, with no port", () => {
  expect(IMAGE_BUILDS["notifications/latency-probe"]).toMatchObject({ target: "job", buildArgs: { SERVICE: "notifications/latency-probe" } });
  expect(IMAGE_BUILDS["notifications/latency-probe"].buildArgs).not.toHaveProperty("PORT");
});

it("refuses a Node build without the workspace image, naming the build argument", () => {
  expect(() => buildArgsFor(IMAGE_BUILDS["kleeweb/web"], {})).toThrow("images/node-service.Dockerfile (context images/kleeweb/web) builds FROM the workspace image: pass its reference as WORKSPACE_IMAGE");
});
