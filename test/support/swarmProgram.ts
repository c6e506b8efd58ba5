/**
 * The labs on a swarm of hosts, under mocks: the local target's host given the
 * swarm a target gives (DockerHost.swarm, the contract with the swarm's
 * targets) and a registry every node pulls from with its own account. Without
 * an endpoint mode, the same host stays one machine.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, type LabName } from "../../config";
import { IMAGE_BUILDS, LAB_VOLUMES, LABS, type LabSettings } from "../../components/labs";
import type { LabModule } from "../../components/labs/lab";
import type { SwarmShape } from "../../components/platform/host";
import { Platform } from "../../components/platform/platform";
import { Registry, type RegistrySettings } from "../../components/platform/registry";
import { createDockerHost } from "../../components/platform/targets";

export const SWARM_REGISTRY: RegistrySettings = {
  server: "registry.example.edu:5000",
  namespace: "course",
  push: { username: "pusher", token: pulumi.output("push-token") },
  pull: { username: "puller", token: pulumi.output("pull-token") },
};

/** The node label and value the swarm pins stateful services with. */
export const STATEFUL_NODE = { label: "container-labs.node", value: "1" };

/** What the swarm's `ready` stands for: every node joined and labelled. */
export class SwarmFormed extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:swarm:Formed", name);
    this.registerOutputs({});
  }
}

/** The stack's host and a platform on it, the host made a swarm when `swarm` is given. */
export function platformOn(registrySettings: RegistrySettings | undefined, swarm?: Pick<SwarmShape, "endpointMode">): Platform {
  const config = loadConfig();
  const registry = new Registry("registry", registrySettings);
  const host = createDockerHost("host", config, { buildEngine: config.dockerHost, registry, labPorts: [] });
  if (swarm) {
    const shape: SwarmShape = { endpointMode: swarm.endpointMode, statefulNode: STATEFUL_NODE, ready: new SwarmFormed("swarm-formed") };
    Object.defineProperty(host, "swarm", { value: shape });
  }
  return new Platform(host, registry, {
    stack: config.stack, images: IMAGE_BUILDS, volumes: LAB_VOLUMES, target: config.target, build: config.build, portRemap: config.portRemap, awsRegion: config.awsRegion,
  });
}

/** A program deploying `labs` on the stack's host, a swarm with `endpointMode` or one machine. */
export function labsOn(labs: LabName[], endpointMode?: SwarmShape["endpointMode"]): () => void {
  return () => {
    const config = loadConfig();
    const platform = platformOn(SWARM_REGISTRY, endpointMode && { endpointMode });
    for (const lab of labs) (LABS[lab] as LabModule<LabSettings[typeof lab]>).deploy(platform, config.labSettings[lab]);
  };
}
