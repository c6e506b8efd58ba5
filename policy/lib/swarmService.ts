/**
 * A swarm service (docker:index/service:Service) as the container rules read
 * a container: the same checks judge both, each reading one shape. What a
 * swarm service has no field for (no-new-privileges, a CPU share, a port's
 * bind address, a pids limit) is left out here, and each rule says what it
 * asks of a service instead.
 */
import { list } from "./properties";

const MIB = 1024 * 1024;

/** The container-shaped properties of a swarm service's task. */
export function serviceAsContainer(props: Record<string, any>): Record<string, any> {
  const containerSpec = props.taskSpec?.containerSpec ?? {};
  const memoryBytes = Number(props.taskSpec?.resources?.limits?.memoryBytes);
  return {
    image: containerSpec.image,
    user: containerSpec.user,
    readOnly: containerSpec.readOnly,
    labels: props.labels,
    capabilities: { drops: containerSpec.capDrops, adds: containerSpec.capAdds },
    memory: memoryBytes > 0 ? memoryBytes / MIB : undefined,
    // A swarm port has no bind address: it is open on every address of the nodes that publish it.
    ports: list<{ publishedPort?: number; targetPort?: number }>(props.endpointSpec?.ports).map((port) => ({ ip: "0.0.0.0", external: port.publishedPort, internal: port.targetPort })),
    mounts: containerSpec.mounts,
    envs: Object.entries(containerSpec.env ?? {}).map(([key, value]) => `${key}=${String(value)}`),
  };
}
