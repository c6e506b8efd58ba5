import * as pulumi from "@pulumi/pulumi";

/** Where lab images live in the local engine: container-labs/<lab>-<service>. */
export const LOCAL_NAMESPACE = "container-labs";

export interface RegistryAccount {
  username: string;
  /** A password or an access token. */
  token: pulumi.Output<string>;
}

/** An OCI registry that the build machine pushes to and the remote host pulls from. */
export interface RegistrySettings {
  /** host[:port], e.g. ghcr.io or registry.example.edu:5000. */
  server: string;
  /** The path images are pushed under: a user or organisation on ghcr.io, a project on Harbor. */
  namespace: string;
  /** Pushes from the build machine: may write. */
  push: RegistryAccount;
  /** The host's pulls; unset: the push account, and the host then holds a token that can write. */
  pull?: RegistryAccount;
  /** The PEM CA of a registry whose certificate no public CA signed: installed where the host's Docker looks for it. */
  caPem?: string;
}

type Credentials = Array<{ address: string; username: string; password: pulumi.Output<string> }>;

/**
 * Where lab images live: <server>/<namespace>/<lab>-<service> with one
 * account for the pushes (made where pulumi runs) and one for the Docker
 * host's pulls, or nowhere (target local: images are loaded into the engine
 * that runs them). With a separate pull account, the push token never leaves
 * the machine running Pulumi: neither the host's engine nor the provider's
 * stored settings get it.
 */
export class Registry extends pulumi.ComponentResource {
  /** True when built images are pushed (and pulled back by the host). */
  readonly pushes: boolean;
  readonly server: string | undefined;
  private readonly settings?: RegistrySettings;

  constructor(name: string, settings: RegistrySettings | undefined, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:platform:Registry", name, {}, opts);
    this.settings = settings;
    this.pushes = settings !== undefined;
    this.server = settings?.server;
    if (settings && settings.pull === undefined) {
      pulumi.log.warn(
        `registryPullToken is not set, so the Docker host pulls from ${settings.server} with registryToken and holds a token that can write: set a read-only one with \`npm run pulumi -- config set --secret registryPullToken <read-only token>\` (and registryPullUsername if its user differs)`,
        this,
      );
    }
    this.registerOutputs({ server: this.server, namespace: settings?.namespace });
  }

  /** The repository of one lab image, e.g. ghcr.io/acme/cmpt756-s1, or container-labs/cmpt756-s1 locally. */
  repository(image: string): string {
    return this.settings ? `${this.settings.server}/${this.settings.namespace}/${image}` : `${LOCAL_NAMESPACE}/${image}`;
  }

  /** Credentials for docker-build's pushes; none when nothing is pushed. */
  get pushCredentials(): Credentials | undefined {
    return this.settings && [{ address: this.settings.server, username: this.settings.push.username, password: this.settings.push.token }];
  }

  /** Credentials for the Docker provider that pulls on the host: the pull account when given; none when nothing is pushed. */
  get pullCredentials(): Credentials | undefined {
    if (!this.settings) return undefined;
    const account = this.settings.pull ?? this.settings.push;
    return [{ address: this.settings.server, username: account.username, password: account.token }];
  }

  /** The CA the host must trust for this registry, if it has its own. */
  get ca(): { server: string; pem: string } | undefined {
    return this.settings?.caPem ? { server: this.settings.server, pem: this.settings.caPem } : undefined;
  }
}
