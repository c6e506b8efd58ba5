import * as pulumi from "@pulumi/pulumi";
import type { RegistrySettings } from "../../config";

export const GHCR = "ghcr.io";
/** Where lab images live in the local engine: container-labs/<lab>-<service>. */
export const LOCAL_NAMESPACE = "container-labs";

export interface RegistryArgs {
  /**
   * ghcr.io settings; none on a target whose images stay in the local engine.
   * With a read-only pullToken, the write token never leaves the machine
   * running Pulumi (neither the host's engine nor the provider's stored
   * settings get it).
   */
  ghcr?: RegistrySettings;
}

type Credentials = Array<{ address: string; username: string; password: pulumi.Output<string> }>;

/**
 * Where lab images live: ghcr.io/<owner>/<lab>-<service> with credentials for
 * the pushes (made where pulumi runs) and for the Docker host's pulls, or
 * nowhere (target local: images are loaded into the engine that runs them).
 */
export class Registry extends pulumi.ComponentResource {
  /** True when built images are pushed (and pulled back by the host). */
  readonly pushes: boolean;
  readonly server: string | undefined;
  private readonly ghcr?: RegistrySettings;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Registry", name, {}, opts);
    this.ghcr = args.ghcr;
    this.pushes = args.ghcr !== undefined;
    this.server = args.ghcr ? GHCR : undefined;
    if (args.ghcr && args.ghcr.pullToken === undefined) {
      pulumi.log.warn(
        "ghcrPullToken is not set, so the Docker host pulls with ghcrToken and holds a token that can write packages: set a read-only one with `npm run pulumi -- config set --secret ghcrPullToken <token with read:packages only>`",
        this,
      );
    }
    this.registerOutputs({ server: this.server, owner: args.ghcr?.owner });
  }

  /** The repository of one lab image, e.g. ghcr.io/acme/cmpt756-s1, or container-labs/cmpt756-s1 locally. */
  repository(image: string): string {
    return this.ghcr ? `${GHCR}/${this.ghcr.owner}/${image}` : `${LOCAL_NAMESPACE}/${image}`;
  }

  /** Credentials for docker-build's pushes; none when nothing is pushed. */
  get pushCredentials(): Credentials | undefined {
    return this.ghcr && [{ address: GHCR, username: this.ghcr.username, password: this.ghcr.token }];
  }

  /** Credentials for the Docker provider that pulls on the host: the read-only token when given; none when nothing is pushed. */
  get pullCredentials(): Credentials | undefined {
    return this.ghcr && [{ address: GHCR, username: this.ghcr.username, password: this.ghcr.pullToken ?? this.ghcr.token }];
  }
}
