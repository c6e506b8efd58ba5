import * as pulumi from "@pulumi/pulumi";
import type { LabName, LabsConfig } from "./config";
import { LABS } from "./components/labs";
import type { LabSummary } from "./components/labs/lab";
import { DockerHost } from "./components/platform/dockerHost";
import { Platform } from "./components/platform/platform";
import { Registry } from "./components/platform/registry";

export interface StackOutputs {
  target: string;
  hostAddress: pulumi.Output<string>;
  labs: Partial<Record<LabName, LabSummary>>;
}

/** Makes the platform for the configured target, then deploys every enabled lab on it. */
export function deployLabs(config: LabsConfig): StackOutputs {
  const modules = config.labs.map((lab) => ({ lab, module: LABS[lab] }));
  const labPorts = modules
    .flatMap(({ module }) => module.publishedPorts(config))
    .map((port) => config.portRemap.get(port) ?? port);

  const registry = new Registry("registry", { ghcr: config.registry });
  const host = new DockerHost(
    "host",
    config.target === "ec2"
      ? { target: "ec2", ec2: config.ec2, registry, labPorts }
      : { target: "local", local: config.local, registry },
  );
  const platform = new Platform(host, registry, {
    stack: config.stack,
    imageOverrides: config.imageOverrides,
    portRemap: config.portRemap,
    awsRegion: config.awsRegion,
  });

  const labs: Partial<Record<LabName, LabSummary>> = {};
  for (const { lab, module } of modules) labs[lab] = module.deploy(platform, config);
  return { target: config.target, hostAddress: host.address, labs };
}
