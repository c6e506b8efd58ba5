import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { isLoopbackAddress } from "../../../policy/lib/addresses";
import { buildsOn } from "../builder";
import { CONTAINER_UID, DOCKER_HOST_TYPE, type DockerHost, type HostCommandArgs, type ImageBuilder } from "../host";
import { shellQuote } from "../shell";
import { volumeOwnerCommand } from "../volumeOwner";
import { LocalCommand } from "./localCommand";

/** target local: the Docker engine of the machine that runs Pulumi. */
export interface LocalSettings {
  /** Absolute directory on this machine for bind-mounted lab data. */
  dataDir: string;
  /** The host address published ports bind to: loopback unless the user opens them. */
  publishAddress: string;
}

/** The socket path of a unix:// endpoint; undefined for tcp:// and ssh:// endpoints. */
export function unixSocketPath(endpoint: string): string | undefined {
  return endpoint.startsWith("unix://") ? endpoint.slice("unix://".length) : undefined;
}

/**
 * The labs on this machine's engine: images built by its own BuildKit and
 * loaded there, ports on loopback unless the user opens them, data under a
 * directory of the user's, commands run as local processes.
 */
export class LocalHost extends pulumi.ComponentResource implements DockerHost {
  readonly docker: docker.Provider;
  readonly builder: ImageBuilder;
  readonly address = pulumi.output("localhost");
  readonly publishAddress: string;
  readonly exposure?: string;
  readonly dataDir: string;
  readonly socketPath?: string;
  /** Environment of local commands: the configured engine, not whatever DOCKER_HOST the shell has. */
  private readonly environment: Record<string, string>;

  /** `endpoint`: this machine's engine (localDockerHost), which runs the labs and builds their images. */
  constructor(name: string, settings: LocalSettings, endpoint: string, opts?: pulumi.ComponentResourceOptions) {
    super(DOCKER_HOST_TYPE, name, {}, opts);
    this.docker = new docker.Provider(`${name}-docker`, { host: endpoint }, { parent: this });
    this.builder = buildsOn(name, endpoint, this);
    this.environment = { DOCKER_HOST: endpoint };
    this.publishAddress = settings.publishAddress;
    this.exposure = isLoopbackAddress(settings.publishAddress) ? undefined : "lan";
    this.dataDir = settings.dataDir;
    this.socketPath = unixSocketPath(endpoint);
    this.registerOutputs({ address: this.address, dataDir: this.dataDir });
  }

  command(name: string, args: HostCommandArgs, parent: pulumi.Resource): LocalCommand {
    return new LocalCommand(
      name,
      { create: args.create, stdin: args.stdin, triggers: args.triggers, environment: this.environment },
      { parent, dependsOn: args.dependsOn ?? [] },
    );
  }

  /**
   * Made by whoever runs Pulumi; when that is not CONTAINER_UID, a throwaway
   * container of `image` hands it over, so no directory is ever world-writable.
   */
  directory(name: string, relative: string, image: pulumi.Input<string>, parent: pulumi.Resource): { path: string; ready: pulumi.Resource } {
    const absolute = path.posix.join(this.dataDir, relative);
    const dir = shellQuote(absolute);
    const create = pulumi.output(image).apply((imageId) => {
      const handOver = volumeOwnerCommand({ lab: "platform", image: imageId, volume: `${absolute}:/dir`, owner: `${CONTAINER_UID}:${CONTAINER_UID}`, path: "/dir" });
      return `mkdir -p ${dir} && chmod 0750 ${dir} && if [ "$(id -u)" != ${CONTAINER_UID} ]; then ${handOver}; fi`;
    });
    return { path: absolute, ready: this.command(name, { create, triggers: [absolute] }, parent) };
  }
}
