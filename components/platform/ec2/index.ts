import type { ConfigReader } from "../../config/reader";
import { adminSourceProblem } from "../../../policy/lib/network";
import { RemoteHost } from "../remote/remoteHost";
import { SWARM_ENDPOINT_MODES } from "../remote/swarm";
import type { TargetModule } from "../target";
import { DATA_VOLUME_TAG } from "./dataVolume";
import { cpuArchitecture, ec2Machines, type Ec2Settings } from "./ec2Host";

export type { Ec2Settings } from "./ec2Host";

/**
 * The networks allowed to reach SSH or the Docker API: one CIDR range, or
 * several separated by commas, each judged as the policy pack judges the
 * security group's ranges.
 */
function readAllowedNetworks(reader: ConfigReader, key: string, value: string | undefined): string[] {
  const cidrs = (value ?? "").split(",").map((cidr) => cidr.trim());
  return cidrs.map((text) => {
    const cidr = reader.cidr(key, text === "" && cidrs.length === 1 ? value : text);
    const problem = cidr ? adminSourceProblem(cidr) : undefined;
    reader.check(problem === undefined, key, cidr, `your own networks (e.g. your IP/32): ${problem}, which opens the host's SSH and Docker API to networks that are not yours; list each network you use instead, separated by commas, none wider than /16`);
    return cidr;
  });
}

/** The most instances ec2HostCount asks for: a class's swarm, not a fleet (each instance is billed while it runs). */
const MAX_HOSTS = 10;

/** target ec2: an instance that cloud-init turns into a Docker host (or several, a swarm), then every remote host's part. */
export const ec2: TargetModule<Ec2Settings> = {
  readSettings(reader) {
    const allowedCidrs = readAllowedNetworks(reader, "ec2AllowedCidr", reader.optionalString("ec2AllowedCidr"));
    const ssh = reader.optionalString("ec2SshCidr");
    return {
      instanceType: reader.string("ec2InstanceType"),
      allowedCidrs,
      // Unset, SSH follows the allowed networks (checked once, above).
      sshCidrs: ssh === undefined ? allowedCidrs : readAllowedNetworks(reader, "ec2SshCidr", ssh),
      rootVolumeGb: reader.integer("ec2RootVolumeGb", 8, 1024),
      hostCount: reader.integer("ec2HostCount", 1, MAX_HOSTS),
      endpointMode: reader.choice("swarmEndpointMode", SWARM_ENDPOINT_MODES),
    };
  },
  pushesImages: true,
  leftOnMachine: `the data volume (EBS, retained) with the named volumes and the labs' files: delete it in the console (EC2 > Volumes, tag ${DATA_VOLUME_TAG}) once you no longer need them`,
  createHost: (name, settings, { buildEngine, registry, labPorts }) =>
    new RemoteHost(name, {
      buildEngine,
      registry,
      buildPlatform: `linux/${cpuArchitecture(settings.instanceType)}`,
      machines: (parent) => ec2Machines(name, { settings, labPorts, registryCa: registry.ca }, parent),
      endpointMode: settings.endpointMode,
    }),
};
