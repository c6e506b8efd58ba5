import * as pulumi from "@pulumi/pulumi";
import { DYNAMODB_LOCAL_HOST_PORT } from "../../platform/dynamo";
import { DynamoTables } from "../../platform/dynamoTables";
import { GeneratedSecret } from "../../platform/generatedCredentials";
import type { Platform } from "../../platform/platform";
import { Service } from "../../platform/service";
import type { LabModule, LabSummary } from "../lab";
import { IMAGES, NODE_SERVERS } from "./images";
import { readCmpt756Settings, type Cmpt756Settings } from "./settings";

/** One of this lab's images, by `<lab>/<service>`: all Platform.image builds for it. */
type ImageName = keyof typeof IMAGES;

const LAB = "cmpt756";
export const PORTS = { s1: NODE_SERVERS["cmpt756/s1"].port, s2: NODE_SERVERS["cmpt756/s2"].port, db: NODE_SERVERS["cmpt756/db"].port } as const;
const PREFIX = { s1: "/api/v1/user", s2: "/api/v1/music", db: "/api/v1/datastore" } as const;
const DB_URL = `http://db:${PORTS.db}${PREFIX.db}`;
/** Exactly what the db service does with its tables: nothing more is granted. */
export const TABLE_ACTIONS = [
  "dynamodb:DescribeTable",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
] as const;

export interface Cmpt756Args {
  platform: Platform<ImageName>;
  settings: Cmpt756Settings;
}

/**
 * CMPT 756's users (s1) and music (s2) services over the datastore (db),
 * backed by the User- and Music- tables; db is reached by name and published
 * on the host's loopback only; tokens and the loader's password are generated.
 */
export class Cmpt756 extends pulumi.ComponentResource {
  readonly usersUrl: pulumi.Output<string>;
  readonly musicUrl: pulumi.Output<string>;
  readonly tableNames: pulumi.Output<string[]>;

  constructor(name: string, args: Cmpt756Args, opts?: pulumi.ComponentResourceOptions) {
    super("container-labs:labs:Cmpt756", name, {}, opts);
    const { platform, settings } = args;
    const engine = platform.engine;
    const network = platform.network(`${name}-network`, { lab: LAB, networkName: LAB }, this);

    const dynamo = platform.dynamoDb(`${name}-dynamodb`, network, this);
    const tables = new DynamoTables(`${name}-tables`, {
      tables: [
        { name: `User-${settings.tableSuffix}`, hashKey: "user_id" },
        { name: `Music-${settings.tableSuffix}`, hashKey: "music_id" },
      ],
      billing: settings.billing,
      backend: dynamo,
    }, { parent: this });
    dynamo.grant(`${name}-tables-access`, tables.arns.apply((arns) => JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: [...TABLE_ACTIONS], Resource: arns }],
    })), this);

    const jwtSecret = new GeneratedSecret(`${name}-jwt-secret`, { length: 48 }, { parent: this });
    const loaderToken = new GeneratedSecret(`${name}-loader-token`, { length: 32 }, { parent: this });

    const image = (service: "s1" | "s2" | "db") => platform.image(`${name}-${service}`, `cmpt756/${service}`, this);
    const dbImage = image("db");
    const db = new Service(`${name}-db`, {
      lab: LAB,
      service: "db",
      image: dbImage,
      env: {
        TABLE_SUFFIX: settings.tableSuffix,
        AWS_REGION: platform.awsRegion,
        ...(dynamo.containerEndpoint ? { DYNAMODB_ENDPOINT: dynamo.containerEndpoint } : {}),
      },
      secretEnv: { SVC_LOADER_TOKEN: loaderToken.result },
      networks: [network, ...dynamo.clientNetworks],
      // Reachable for debugging from the host itself, never from outside it.
      ports: [{ container: PORTS.db, host: PORTS.db, hostIp: "127.0.0.1" }],
      waitHealthy: true,
      engine,
    }, { parent: this, dependsOn: [tables] });

    for (const service of ["s1", "s2"] as const) {
      new Service(`${name}-${service}`, {
        lab: LAB,
        service,
        image: image(service),
        env: { DB_URL },
        secretEnv: { JWT_SECRET: jwtSecret.result },
        networks: [network],
        ports: [{ container: PORTS[service], host: PORTS[service] }],
        engine,
      }, { parent: this, dependsOn: db.ready });
    }

    if (settings.seed) {
      // The course's loader, once: the sample users and songs, posted to db's /load.
      new Service(`${name}-seed`, {
        lab: LAB,
        service: "seed",
        image: dbImage,
        entrypoint: ["node"],
        command: ["dist/load.js", DB_URL],
        secretEnv: { SVC_LOADER_TOKEN: loaderToken.result },
        networks: [network],
        oneShot: true,
        healthcheck: "none",
        engine,
      }, { parent: this, dependsOn: db.ready });
    }

    this.usersUrl = platform.url(PORTS.s1, `${PREFIX.s1}/`);
    this.musicUrl = platform.url(PORTS.s2, `${PREFIX.s2}/`);
    this.tableNames = tables.names;
    this.registerOutputs({ usersUrl: this.usersUrl, musicUrl: this.musicUrl, tableNames: this.tableNames });
  }
}

/**
 * The lines to try, in order in one shell: create a user, log in as them
 * (s1 answers the bare token), create a song with that token, read both
 * back, a line each. Each `cut` takes the id out of `{"<objtype>_id":"<uuid>"}`. The
 * README's cmpt756 block is these lines on localhost (test/labs/cmpt756.test.ts).
 */
function tryLines(usersUrl: pulumi.Output<string>, musicUrl: pulumi.Output<string>): pulumi.Output<string>[] {
  const json = "-H 'Content-Type: application/json'";
  const bearer = `-H "Authorization: Bearer $TOKEN"`;
  return [
    pulumi.interpolate`USER_ID=$(curl -s -X POST ${usersUrl} ${json} -d '{"fname": "Ada", "lname": "Lovelace", "email": "ada@example.org"}' | cut -d '"' -f 4); echo "$USER_ID"`,
    pulumi.interpolate`TOKEN=$(curl -s -X PUT ${usersUrl}login ${json} -d "{\\"uid\\": \\"$USER_ID\\"}"); echo "$TOKEN"`,
    pulumi.interpolate`MUSIC_ID=$(curl -s -X POST ${musicUrl} ${json} ${bearer} -d '{"Artist": "Nina Simone", "SongTitle": "Feeling Good"}' | cut -d '"' -f 4); echo "$MUSIC_ID"`,
    pulumi.interpolate`curl -s ${musicUrl}$MUSIC_ID ${bearer}; echo`,
    pulumi.interpolate`curl -s ${usersUrl}$USER_ID ${bearer}; echo`,
  ];
}

export const cmpt756: LabModule<Cmpt756Settings, ImageName> = {
  readSettings: readCmpt756Settings,
  images: IMAGES,
  hostPorts: () => [
    { port: PORTS.s1, what: "cmpt756 s1 (users)" },
    { port: PORTS.s2, what: "cmpt756 s2 (music)" },
    { port: PORTS.db, what: "cmpt756 db (datastore)", loopbackOnly: true },
    { port: DYNAMODB_LOCAL_HOST_PORT, what: "DynamoDB Local (local target)", loopbackOnly: true },
  ],
  deploy(platform: Platform<ImageName>, settings: Cmpt756Settings): LabSummary {
    const lab = new Cmpt756(LAB, { platform, settings });
    return {
      urls: { usersApi: lab.usersUrl, musicApi: lab.musicUrl },
      tryIt: tryLines(lab.usersUrl, lab.musicUrl),
      details: { tables: lab.tableNames },
    };
  },
};
