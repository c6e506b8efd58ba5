/**
 * DockerCoins on a real swarm, deployed by the program's own Platform and lab:
 * the host is the test kit's three-node swarm (packages/test-kit/src/swarm.ts),
 * formed by the test before this program runs, its manager's engine reached
 * by the Docker provider over SSH. Every image is taken from the stand-in
 * registry by digest (the imageOverrides and externalImages settings), so
 * nothing is built here; each node pulls with the registry's pull account.
 *
 * Until the ssh target forms a swarm itself (issue 24's first half), this
 * host is what that target will give the platform: a DockerHost whose `swarm`
 * is set. It runs no command on the host and makes no directory there:
 * DockerCoins asks for neither on a swarm.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_BUILDS, LAB_VOLUMES } from "../../../components/labs";
import { dockercoins } from "../../../components/labs/dockercoins";
import type { DockerHost, ImageBuilder, SwarmShape } from "../../../components/platform/host";
import { DOCKER_HOST_TYPE } from "../../../components/platform/host";
import { Platform } from "../../../components/platform/platform";
import { Registry } from "../../../components/platform/registry";

const config = new pulumi.Config();
const registryServer = config.require("registryServer");
const pull = { username: config.require("registryPullUsername"), token: config.requireSecret("registryPullToken") };
const images = config.requireObject<Record<string, string>>("images");

/** The swarm as the test formed it: every node joined and labelled before `up`. */
class SwarmFormed extends pulumi.ComponentResource {
  constructor(name: string) {
    super("container-labs:test:SwarmFormed", name);
    this.registerOutputs({});
  }
}

class SwarmManagerHost extends pulumi.ComponentResource implements DockerHost {
  readonly docker: docker.Provider;
  readonly address: pulumi.Output<string>;
  readonly publishAddress = "0.0.0.0";
  readonly dataDir = "/var/lib/container-labs";
  readonly swarm: SwarmShape;

  constructor(name: string) {
    super(DOCKER_HOST_TYPE, name);
    const managerHost = config.require("managerHost");
    this.docker = new docker.Provider(`${name}-docker`, {
      host: managerHost,
      sshOpts: ["-i", config.require("sshKeyFile"), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"],
      registryAuth: [{ address: registryServer, username: pull.username, password: pull.token }],
    }, { parent: this });
    this.address = pulumi.output(new URL(managerHost).hostname);
    this.swarm = { endpointMode: "dnsrr", statefulNode: { label: "container-labs.node", value: "1" }, ready: new SwarmFormed(`${name}-swarm`) };
    this.registerOutputs({});
  }

  get builder(): ImageBuilder {
    throw new Error("this stack builds no image: every one is taken from the registry");
  }

  command(): never {
    throw new Error("this stack runs no command on the host");
  }

  directory(): never {
    throw new Error("this stack makes no directory on the host");
  }
}

const host = new SwarmManagerHost("host");
const registry = new Registry("registry", {
  server: registryServer,
  namespace: "swarm",
  push: { username: config.require("registryUsername"), token: pulumi.secret("unused: nothing is pushed") },
  pull,
});
const platform = new Platform(host, registry, {
  stack: pulumi.getStack(),
  images: IMAGE_BUILDS,
  volumes: LAB_VOLUMES,
  target: "ssh",
  build: { externalImages: { redis: images.redis }, imageOverrides: Object.fromEntries(Object.entries(images).filter(([name]) => name.includes("/"))) },
  portRemap: new Map(),
  awsRegion: "eu-west-1",
});
const summary = dockercoins.deploy(platform, {
  workers: config.requireNumber("dockercoinsWorkers"),
  rngReplicas: 1,
  hasherReplicas: config.requireNumber("dockercoinsHasherReplicas"),
  lessonDelayMs: 100,
});
export const webui = summary.urls.webui;
