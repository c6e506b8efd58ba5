import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecret } from "../platform/generatedCredentials";
import { SERVER_USERS } from "../platform/images";
import type { Network } from "../platform/network";
import type { Platform } from "../platform/platform";
import { Service } from "../platform/service";
import type { Keep } from "../platform/volume";

export interface PostgresArgs<VolumeName extends string> {
  /** The lab's platform, which makes the lab's own volumes. */
  platform: Platform<string, VolumeName>;
  lab: string;
  network: Network;
  /** Database and user name. */
  database: string;
  /** The data volume (the course's name; Platform.volume gives it the stack's where needed) and what destroy does with it. */
  volume: VolumeName;
  keep: Keep;
  restart?: "unless-stopped" | "always";
}

const PORT = 5432;
const DATA_PATH = "/var/lib/postgresql/data";
const SOCKET_DIR = "/var/run/postgresql";

/**
 * A pinned PostgreSQL reached by the name `db` on the lab's network, its data
 * on a named volume, its password generated and kept secret. `url` is the
 * connection string the lab's app gets, itself a secret.
 */
export class Postgres<VolumeName extends string = string> extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  /** What a client waits for: the database's container, answering with the stack's password. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: PostgresArgs<VolumeName>, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Postgres", name, {}, opts);
    const { platform } = args;
    const password = new GeneratedSecret(`${name}-password`, { length: 32 }, { parent: this });
    const image = platform.pull(`${name}`, "postgres", this);
    const data = platform.volume(`${name}-data`, { lab: args.lab, volume: args.volume, keep: args.keep }, this);
    const service = new Service(`${name}`, {
      lab: args.lab,
      service: "db",
      image,
      user: SERVER_USERS.postgres,
      // Its Unix socket, which the password command's psql and the entrypoint's setup server use.
      scratch: { dirs: [SOCKET_DIR] },
      env: { POSTGRES_USER: args.database, POSTGRES_DB: args.database },
      secretEnv: { POSTGRES_PASSWORD: password.result },
      // The image's entrypoint reads POSTGRES_PASSWORD_FILE too: on a swarm the password is a swarm secret.
      secretFiles: ["POSTGRES_PASSWORD"],
      networks: [args.network],
      mounts: [{ source: data, target: DATA_PATH }],
      // Over TCP: the entrypoint's setup server answers on the socket alone (listen_addresses=''), then stops;
      // a socket check would call it healthy, and the password command would meet it shutting down.
      healthcheck: { test: ["CMD-SHELL", `pg_isready -h 127.0.0.1 -p ${PORT} -U ${args.database} -d ${args.database}`], intervalSeconds: 5, retries: 10 },
      waitHealthy: true,
      restart: args.restart,
      engine: platform.engine,
    }, { parent: this });
    // A kept volume outlives the password generated with the stack (destroy, then up): every new
    // container sets the role's password to the current one, over the local socket the image trusts.
    // The statement goes on stdin, never on a command line; the password is letters and digits.
    const passwordSet = platform.engine.command(`${name}-password`, {
      create: service.execTarget.apply((container) => `docker exec -i ${container} psql --quiet -v ON_ERROR_STOP=1 -U ${args.database} -d ${args.database} >/dev/null`),
      stdin: pulumi.secret(pulumi.interpolate`ALTER ROLE "${args.database}" PASSWORD '${password.result}';\n`),
      triggers: [service.instanceIds, password.result],
      dependsOn: service.ready,
    }, this);
    this.ready = [...service.ready, passwordSet];
    this.url = pulumi.secret(pulumi.interpolate`postgres://${args.database}:${password.result}@db:${PORT}/${args.database}`);
    this.registerOutputs({});
  }
}
