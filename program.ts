import * as pulumi from "@pulumi/pulumi";
import type { LabName, LabsConfig } from "./config";
import { IMAGE_BUILDS, LAB_VOLUMES, LABS, type LabSettings } from "./components/labs";
import type { HostPort, LabModule, LabSummary } from "./components/labs/lab";
import type { FixedSubnet } from "./components/platform/enginePreflight";
import { Platform } from "./components/platform/platform";
import { Registry } from "./components/platform/registry";
import { createDockerHost } from "./components/platform/targets";

export interface StackOutputs {
  target: string;
  hostAddress: pulumi.Output<string>;
  labs: Partial<Record<LabName, LabSummary>>;
}

/** One lab's module with its settings, typed together. */
function labOf<K extends LabName>(lab: K, settings: LabSettings) {
  const module = LABS[lab] as LabModule<LabSettings[K]>;
  return { lab, module, settings: settings[lab] };
}

/** The host ports the enabled labs publish, before portRemap. */
export function hostPorts(config: LabsConfig): HostPort[] {
  return config.labs.flatMap((lab) => {
    const { module, settings } = labOf(lab, config.labSettings);
    return module.hostPorts(settings);
  });
}

/** The fixed subnets the enabled labs need. */
export function fixedSubnets(config: LabsConfig): FixedSubnet[] {
  return config.labs.flatMap((lab) => {
    const { module, settings } = labOf(lab, config.labSettings);
    return module.fixedSubnet ? [module.fixedSubnet(settings)] : [];
  });
}

/** Makes the platform for the configured target, then deploys every enabled lab on it. */
export function deployLabs(config: LabsConfig): StackOutputs {
  const enabled = config.labs.map((lab) => labOf(lab, config.labSettings));
  const labPorts = hostPorts(config)
    .filter((port) => !port.loopbackOnly)
    .map(({ port }) => config.portRemap.get(port) ?? port);

  const registry = new Registry("registry", config.registry);
  const host = createDockerHost("host", config, { buildEngine: config.dockerHost, registry, labPorts });
  const platform = new Platform(host, registry, {
    stack: config.stack,
    images: IMAGE_BUILDS,
    volumes: LAB_VOLUMES,
    target: config.target,
    build: config.build,
    portRemap: config.portRemap,
    awsRegion: config.awsRegion,
  });

  // Labs whose networks have fixed subnets go first, so Docker's own choices steer around them (Platform.network).
  const deployOrder = [...enabled].sort((a, b) => Number(b.module.fixedSubnet !== undefined) - Number(a.module.fixedSubnet !== undefined));
  const summaries = new Map(deployOrder.map(({ lab, module, settings }) => [lab, module.deploy(platform, settings)] as const));
  const labs: Partial<Record<LabName, LabSummary>> = {};
  for (const { lab } of enabled) labs[lab] = summaries.get(lab);
  return { target: config.target, hostAddress: host.address, labs };
}
