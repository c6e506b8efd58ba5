/**
 * A group's notifications, as the course grades them: the built service as a
 * process with a token key (TOKEN_PUBLIC_KEY) and a real PostgreSQL
 * (DATABASE_URL). A token's `sub` names the group; the group's accepted
 * latencies land in the course's demo.notification table, and every answer
 * is counted under the group.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { SignJWT, UnsecuredJWT } from "jose";
import { Client } from "pg";
import {
  EXAMPLE_BODY, EXAMPLE_SECRET_KEY, TOKEN_LEEWAY_SECONDS, freshNotifyBody, secretKeyBytes, signGroupToken, type NotifyBody,
} from "@container-labs/notification-cipher";
import { startPostgres, startService, type Postgres, type ServiceProcess } from "@container-labs/test-kit";

const script = join(__dirname, "..", "dist", "main.js");
const key = secretKeyBytes(EXAMPLE_SECRET_KEY);
const { cipher_data: _example, ...fields } = EXAMPLE_BODY;
const plain = "text/plain; charset=utf-8";

// A stack's pair as Pulumi's tls.PrivateKey gives it: the public key in SPKI PEM, the private key in PKCS#1 PEM.
const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
const nowSeconds = () => Math.floor(Date.now() / 1000);

let postgres: Postgres;
let service: ServiceProcess;
let db: Client;

interface Reply {
  status: number;
  type: string | null;
  text: string;
}

async function notify(body: unknown, token?: string, target: ServiceProcess = service): Promise<Reply> {
  const path = token === undefined ? "/api/notify" : `/api/notify?token=${encodeURIComponent(token)}`;
  const res = await fetch(target.url(path), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** The test's own look into the database; stopping the database under it is expected. */
async function connect(): Promise<Client> {
  const client = new Client({ connectionString: postgres.url });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

const tokenFor = (group: string) => signGroupToken(pair.privateKey, group, 300);

/** A token with exactly these claims, signed by `signer` (our key unless said). */
function tokenWith(claims: Record<string, unknown>, signer: KeyObject = pair.privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(signer);
}

/** A fresh notification for a measurement of its own, so each test's rows are its own. */
let measurements = 0;
function freshBody(overrides: Partial<NotifyBody> = {}): NotifyBody {
  measurements += 1;
  return freshNotifyBody(key, { ...fields, measurement_id: `m-${measurements}`, ...overrides });
}

async function rows(measurementId: string): Promise<Array<{ experiment_id: string; group_id: string; latency: number }>> {
  const result = await db.query("SELECT experiment_id, group_id, latency FROM demo.notification WHERE measurement_id = $1 ORDER BY group_id", [measurementId]);
  return result.rows;
}

async function count(group: string, type: string, target: ServiceProcess = service): Promise<number> {
  const text = await (await fetch(target.url("/api/metrics"))).text();
  const line = text.split("\n").find((l) => l.startsWith(`notifications_service_response_count_total{group="${group}",response_type="${type}"} `));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}

beforeAll(async () => {
  postgres = await startPostgres();
  service = await startService("notifications-service", {
    script,
    args: ["--secret-key", EXAMPLE_SECRET_KEY],
    env: { TOKEN_PUBLIC_KEY: publicPem, DATABASE_URL: postgres.url },
  });
  db = await connect();
}, 60000);

afterAll(async () => {
  await db?.end();
  await service?.stop();
  await postgres?.stop();
});

describe("the course's table", () => {
  it("is made at start when missing: demo.notification, its four columns, the first three its primary key", async () => {
    const columns = await db.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'demo' AND table_name = 'notification' ORDER BY ordinal_position",
    );
    expect(columns.rows).toEqual([
      { column_name: "experiment_id", data_type: "text" },
      { column_name: "measurement_id", data_type: "text" },
      { column_name: "group_id", data_type: "text" },
      { column_name: "latency", data_type: "double precision" },
    ]);
    const key = await db.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = 'demo.notification'::regclass AND i.indisprimary ORDER BY a.attname`,
    );
    expect(key.rows.map((r) => r.attname)).toEqual(["experiment_id", "group_id", "measurement_id"]);
  });
});

describe("a notification with a token naming a group", () => {
  it("is answered its latency, which is stored for the group and counted Ok under it", async () => {
    const before = await count("group1", "Ok");
    const body = freshBody();
    const reply = await notify(body, await tokenFor("group1"));
    expect(reply.status).toBe(200);
    expect(reply.type).toBe(plain);
    expect(await rows(body.measurement_id)).toEqual([{ experiment_id: "5678", group_id: "group1", latency: Number(reply.text) }]);
    expect(await count("group1", "Ok")).toBe(before + 1);
  });

  it("stored once per group: the same measurement again keeps the first latency; another group gets its own row", async () => {
    const body = freshBody();
    const first = await notify(body, await tokenFor("group2"));
    const again = await notify(body, await tokenFor("group2"));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(Number(again.text)).toBeGreaterThan(Number(first.text));
    await notify(body, await tokenFor("group3"));
    expect((await rows(body.measurement_id)).map((r) => [r.group_id, r.latency])).toEqual([
      ["group2", Number(first.text)],
      ["group3", expect.any(Number)],
    ]);
  });

  it("a refused one is counted under the group by what went wrong, and nothing is stored", async () => {
    const [hash, invalid] = [await count("group4", "HashError"), await count("group4", "InvalidData")];
    const token = await tokenFor("group4");
    const tampered = freshBody();
    expect((await notify({ ...tampered, cipher_data: "x" }, token)).text).toBe("Invalid cipher");
    expect((await notify({ ...tampered, experiment_id: "other" }, token)).text).toBe("Unexpected experiment_id `other`. Expected `5678`");
    expect([await count("group4", "HashError"), await count("group4", "InvalidData")]).toEqual([hash + 1, invalid + 1]);
    expect(await rows(tampered.measurement_id)).toEqual([]);
  });

  it("without a token is answered as before and not stored: there is no group to store it for", async () => {
    const body = freshBody();
    expect((await notify(body)).status).toBe(200);
    expect(await rows(body.measurement_id)).toEqual([]);
  });
});

describe("a token that does not verify", () => {
  const refused = { status: 500, type: plain, text: "Token must be encoded by ECC private key" };

  it.each<[string, () => Promise<string>]>([
    ["expired beyond the course's leeway", () => tokenWith({ sub: "group5", exp: nowSeconds() - TOKEN_LEEWAY_SECONDS - 10 })],
    ["signed by another key", () => tokenWith({ sub: "group5", exp: nowSeconds() + 60 }, stranger.privateKey)],
    ["unsigned (alg none)", async () => new UnsecuredJWT({ sub: "group5", exp: nowSeconds() + 60 }).encode()],
    ["without a sub", () => tokenWith({ exp: nowSeconds() + 60 })],
    ["without an exp", () => tokenWith({ sub: "group5" })],
    ["not a JWT at all", async () => "group5"],
  ])("%s: 500 as the course's, counted JwtError with no group, nothing stored", async (_what, make) => {
    const before = await count("", "JwtError");
    const body = freshBody();
    expect(await notify(body, await make())).toEqual(refused);
    expect(await count("", "JwtError")).toBe(before + 1);
    expect(await rows(body.measurement_id)).toEqual([]);
  });

  it("is refused before the cipher is opened; a body the service cannot read is refused before the token is looked at", async () => {
    const expired = await tokenWith({ sub: "group5", exp: nowSeconds() - 3600 });
    expect(await notify({ ...EXAMPLE_BODY, cipher_data: "not a cipher" }, expired)).toEqual(refused);
    // As in the course's service, whose framework reads the body before its handler checks the token.
    expect((await notify({ ...EXAMPLE_BODY, notification_type: "Exploded" }, expired)).status).toBe(400);
  });

  it("expired within the course's leeway is still accepted", async () => {
    const body = freshBody();
    const reply = await notify(body, await tokenWith({ sub: "group6", exp: nowSeconds() - TOKEN_LEEWAY_SECONDS + 15 }));
    expect(reply.status).toBe(200);
    expect(await rows(body.measurement_id)).toHaveLength(1);
  });
});

describe("when the database fails", () => {
  it("answers 500 Failed to insert values, counts InsertError under the group, lives on, and stores again once a database is back", async () => {
    const before = await count("group7", "InsertError");
    const port = postgres.port;
    await postgres.stop();
    const lost = freshBody();
    expect(await notify(lost, await tokenFor("group7"))).toEqual({ status: 500, type: plain, text: "Failed to insert values" });
    expect(await count("group7", "InsertError")).toBe(before + 1);
    expect(service.running).toBe(true);
    // Without a token there is nothing to store, so the database is not needed.
    expect((await notify(freshBody())).status).toBe(200);

    // A new, empty database at the same address (a database container recreated on a fresh volume).
    await db.end().catch(() => undefined);
    postgres = await startPostgres(port);
    db = await connect();
    const body = freshBody();
    const reply = await notify(body, await tokenFor("group7"));
    expect(reply.status).toBe(200);
    expect(await rows(body.measurement_id)).toEqual([{ experiment_id: "5678", group_id: "group7", latency: Number(reply.text) }]);
    expect(service.logLines().some((l) => l.msg === "latency not stored" && l.level === "error")).toBe(true);
  }, 60000);
});

describe("a service with a token key and no database", () => {
  it("accepts a group's notification and counts it under the group, storing nothing", async () => {
    const bare = await startService("no-database", { script, args: ["--secret-key", EXAMPLE_SECRET_KEY], env: { TOKEN_PUBLIC_KEY: publicPem } });
    try {
      const reply = await notify(freshBody(), await tokenFor("group8"), bare);
      expect(reply.status).toBe(200);
      expect(await count("group8", "Ok", bare)).toBe(1);
    } finally {
      await bare.stop();
    }
  });
});
