/**
 * A stack test/deploy/16-policy.test.ts previews with the policy pack, and
 * never deploys: one container of the program's own Service component on the
 * ci stack's engine, its port published on `publishAddress`. The program's
 * LocalHost labels a container that publishes beyond loopback with the reason
 * (container-labs.exposure=lan for localPublishAddress 0.0.0.0); here the reason
 * is the `exposure` setting, so a test can leave it out, as a program that
 * forgot it would, and see the CLI refuse the preview.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalHost } from "../../../components/platform/local";
import { Service } from "../../../components/platform/service";
import type { Engine } from "../../../components/platform/serviceArgs";

const config = new pulumi.Config();
const host = new LocalHost(
  "host",
  // Nothing is mounted: the data directory is never used.
  { dataDir: path.join(os.tmpdir(), "container-labs-policy-refusal"), publishAddress: config.require("publishAddress") },
  config.require("dockerHost"),
);
// The engine Platform gives the labs, with the exposure reason from config instead of LocalHost's.
const engine: Engine = {
  docker: host.docker,
  stack: pulumi.getStack(),
  hostPort: (port) => port,
  publishAddress: host.publishAddress,
  exposure: config.get("exposure") || undefined,
  command: (name, args, parent) => host.command(name, args, parent),
};
new Service("refusal-cache", {
  lab: "policy-refusal",
  service: "cache",
  // An image the engine has; a container runs it by this reference.
  image: { imageId: config.require("image"), ref: config.require("image") },
  networks: [],
  ports: [{ container: 6379, host: 16379 }],
  engine,
});
