/**
 * The built notifications-service as a process on 127.0.0.1, answering real
 * HTTP: the course's contract row by row, then inputs it must survive.
 */
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  EXAMPLE_BODY, EXAMPLE_SECRET_KEY, EXAMPLE_TIMESTAMP, encodeBase64NoPad, encryptCipherData, freshNotifyBody,
  secretKeyBytes, type NotifyBody,
} from "@container-labs/notification-cipher";
import { freePort, run, sleep, startService, waitFor, type ServiceProcess } from "@container-labs/test-kit";

const script = join(__dirname, "..", "dist", "main.js");
const key = secretKeyBytes(EXAMPLE_SECRET_KEY);
const { cipher_data: _example, ...fields } = EXAMPLE_BODY;

interface Reply {
  status: number;
  type: string | null;
  text: string;
}

let service: ServiceProcess;

async function send(path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(service.url(path), init);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

function notify(body: unknown, contentType: string | null = "application/json"): Promise<Reply> {
  const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
  return send("/api/notify", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** A body whose cipher carries `hashData` as JSON (or raw bytes), encrypted with the service's key. */
function bodyWith(hashData: unknown, overrides: Partial<NotifyBody> = {}): NotifyBody {
  const plaintext = Buffer.isBuffer(hashData) ? hashData : JSON.stringify(hashData);
  return { ...fields, cipher_data: encryptCipherData(key, plaintext), ...overrides };
}

const now = () => Date.now() / 1000;

/** The request body Swagger UI's "Try it out" fills in: the example in the document at /json. */
async function swaggerExample(from: ServiceProcess): Promise<unknown> {
  const doc = JSON.parse(await (await fetch(from.url("/json"))).text());
  return doc.paths["/api/notify"].post.requestBody.content["application/json"].example;
}
const plain = "text/plain; charset=utf-8";

beforeAll(async () => {
  service = await startService("notifications-service", { script, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
});

afterAll(async () => {
  await service?.stop();
});

describe("POST /api/notify accepts", () => {
  it("the assignment's own request, answering the age of its 2023 timestamp in seconds", async () => {
    const before = now();
    const reply = await notify(EXAMPLE_BODY);
    const after = now();
    expect(reply.status).toBe(200);
    expect(reply.type).toBe(plain);
    expect(reply.text).toMatch(/^\d+\.\d+$/);
    const latency = Number(reply.text);
    expect(latency).toBeGreaterThanOrEqual(before - EXAMPLE_TIMESTAMP - 0.01);
    expect(latency).toBeLessThanOrEqual(after - EXAMPLE_TIMESTAMP + 0.01);
  });

  it("a freshly encrypted notification, answering its real latency, well under a second on loopback", async () => {
    for (const notification_type of ["OutOfRange", "Stabilized"] as const) {
      const reply = await notify(freshNotifyBody(key, { ...fields, notification_type }));
      expect(reply.status).toBe(200);
      const latency = Number(reply.text);
      expect(latency).toBeGreaterThan(0);
      // Milliseconds on loopback, so under 1 s keeps far over 3x; a stale timestamp would read as years.
      expect(latency).toBeLessThan(1);
    }
  });

  it("a timestamp far in the future: a negative latency, printed in full as the course's service prints floats", async () => {
    const reply = await notify(bodyWith({ ...fields, timestamp: 1e22 }));
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(/^-\d{22}$/); // e.g. -9999999999998205000000, never -9.999999999998205e+21
  });

  it("a JSON Content-Type with a charset, and a cipher without a notification_type member as none", async () => {
    expect((await notify(freshNotifyBody(key, fields), "application/json; charset=utf-8")).status).toBe(200);
  });
});

describe("POST /api/notify reads the body as leniently as the course's service", () => {
  it("ignores members it does not know", async () => {
    const reply = await notify({ ...freshNotifyBody(key, fields), priority: "high", notes: [1, 2] });
    expect(reply.status).toBe(200);
  });

  it("takes a number or a boolean where a string belongs as its text", async () => {
    // The assignment's own request with measurement_id 1234 written as a number.
    expect(await notify({ ...EXAMPLE_BODY, measurement_id: 1234 })).toMatchObject({ status: 200, type: plain });
    // And the text really is compared: a boolean researcher is "true", which the cipher does not say.
    const reply = await notify({ ...EXAMPLE_BODY, researcher: true });
    expect(reply).toEqual({ status: 400, type: plain, text: "Unexpected researcher `true`. Expected `d.landau@uu.nl`" });
  });

  it("takes a float written 1.0 as JavaScript prints it, \"1\", where the course keeps \"1.0\" (a difference the README lists)", async () => {
    const madeFor = (measurementId: string) => freshNotifyBody(key, { ...fields, measurement_id: measurementId });
    expect((await notify(`{${JSON.stringify(madeFor("1")).slice(1, -1)}, "measurement_id": 1.0}`)).status).toBe(200);
    const reply = await notify(`{${JSON.stringify(madeFor("1.0")).slice(1, -1)}, "measurement_id": 1.0}`);
    expect(reply).toEqual({ status: 400, type: plain, text: "Unexpected measurement_id `1`. Expected `1.0`" });
  });

  it("accepts application/*+json content types, with or without parameters", async () => {
    for (const type of ["application/vnd.api+json", "application/merge-patch+json; charset=utf-8", "Application/JSON"]) {
      expect([type, (await notify(freshNotifyBody(key, fields), type)).status]).toEqual([type, 200]);
    }
  });
});

describe("POST /api/notify refuses, with the course's status and text", () => {
  const sealedOk = () => bodyWith({ ...fields, timestamp: now() }).cipher_data.split(".");

  it.each<[string, () => NotifyBody | Promise<NotifyBody>, number, string]>([
    ["cipher_data without a dot", () => ({ ...EXAMPLE_BODY, cipher_data: EXAMPLE_BODY.cipher_data.replace(".", "") }), 400, "Invalid cipher"],
    ["cipher_data with two dots", () => ({ ...EXAMPLE_BODY, cipher_data: `${EXAMPLE_BODY.cipher_data}.AAAA` }), 400, "Invalid cipher"],
    ["a nonce that is not base64", () => ({ ...EXAMPLE_BODY, cipher_data: `~${EXAMPLE_BODY.cipher_data.slice(1)}` }), 400, "Malformed b64 encoded nonce"],
    ["a padded nonce", () => ({ ...EXAMPLE_BODY, cipher_data: `AAAAAAAAAAAAAAA=.${sealedOk()[1]}` }), 400, "Malformed b64 encoded nonce"],
    ["a ciphertext that is not base64", () => ({ ...EXAMPLE_BODY, cipher_data: `${sealedOk()[0]}.~${sealedOk()[1]}` }), 400, "Malformed b64 encoded ciphertext"],
    ["a 16-byte nonce (the course's service crashes here)", () => ({ ...fields, cipher_data: encryptCipherData(key, "{}", randomBytes(16)) }), 400, "Invalid cipher"],
    ["an empty nonce", () => ({ ...fields, cipher_data: `.${sealedOk()[1]}` }), 400, "Invalid cipher"],
    ["a cipher made with another key", () => ({ ...fields, cipher_data: encryptCipherData(secretKeyBytes("A".repeat(32)), "{}") }), 400, "Cipher text not encrypted with provided nonce and server key"],
    ["a tampered ciphertext", () => {
      const [nonce, sealed] = sealedOk();
      const bytes = Buffer.from(sealed, "base64");
      bytes[3] ^= 0x40;
      return { ...fields, cipher_data: `${nonce}.${encodeBase64NoPad(bytes)}` };
    }, 400, "Cipher text not encrypted with provided nonce and server key"],
    ["a ciphertext shorter than its tag", () => ({ ...fields, cipher_data: `${sealedOk()[0]}.AAAA` }), 400, "Cipher text not encrypted with provided nonce and server key"],
    ["a plaintext that is not UTF-8", () => bodyWith(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 500, "Could not decode into utf8 string"],
    ["a plaintext that is not JSON", () => bodyWith(Buffer.from("hello")), 500, "Could not deserialize json string into HashData."],
    ["a plaintext without a timestamp", () => bodyWith({ ...fields }), 500, "Could not deserialize json string into HashData."],
    ["a plaintext with an unknown notification_type", () => bodyWith({ ...fields, notification_type: "Exploded", timestamp: 1 }), 500, "Could not deserialize json string into HashData."],
    ["a measurement_id that differs from the cipher's", () => bodyWith({ ...fields, timestamp: now() }, { measurement_id: "234" }), 400, "Unexpected measurement_id `234`. Expected `1234`"],
    ["an experiment_id that differs from the cipher's", () => bodyWith({ ...fields, timestamp: now() }, { experiment_id: "678" }), 400, "Unexpected experiment_id `678`. Expected `5678`"],
    ["a researcher who differs from the cipher's", () => bodyWith({ ...fields, timestamp: now() }, { researcher: "diogo.landau@uu.nl" }), 400, "Unexpected researcher `diogo.landau@uu.nl`. Expected `d.landau@uu.nl`"],
    ["every id wrong at once: measurement_id is named first", () => bodyWith({ ...fields, timestamp: now() }, { measurement_id: "1", experiment_id: "2", researcher: "3", notification_type: "Stabilized" }), 400, "Unexpected measurement_id `1`. Expected `1234`"],
    ["a cipher whose notification_type is null", () => bodyWith({ ...fields, notification_type: null, timestamp: now() }), 400, "Unexpected notification. Measurement `1234` should not have been notified"],
    ["a cipher without a notification_type", () => {
      const { notification_type: _n, ...rest } = fields;
      return bodyWith({ ...rest, timestamp: now() });
    }, 400, "Unexpected notification. Measurement `1234` should not have been notified"],
    ["a notification_type that differs from the cipher's", () => bodyWith({ ...fields, timestamp: now() }, { notification_type: "Stabilized" }), 400, "Unexpected notification_type `Stabilized`. Expected `OutOfRange`"],
  ])("%s", async (_what, makeBody, status, text) => {
    const reply = await notify(await makeBody());
    expect(reply).toEqual({ status, type: plain, text });
  });

  it.each<[string, string, RegExp]>([
    ["a body that is not JSON", "{not json", /not valid JSON/],
    ["an empty body", "", /empty/],
    ["a JSON array", "[]", /must be a JSON object/],
    ["a missing field", JSON.stringify({ ...fields }), /missing field `cipher_data`/],
    ["null where a string belongs", JSON.stringify({ ...EXAMPLE_BODY, measurement_id: null }), /`measurement_id` must be a string/],
    ["an object where a string belongs", JSON.stringify({ ...EXAMPLE_BODY, researcher: { name: "d" } }), /`researcher` must be a string/],
    ["an unknown notification_type", JSON.stringify({ ...EXAMPLE_BODY, notification_type: "Exploded" }), /`notification_type` must be one of `OutOfRange`, `Stabilized`/],
    ["a notification_type that is not a string", JSON.stringify({ ...EXAMPLE_BODY, notification_type: 1 }), /`notification_type` must be one of/],
  ])("%s: 400 naming what is wrong", async (_what, body, message) => {
    const reply = await notify(body);
    expect(reply.status).toBe(400);
    expect(reply.type).toBe(plain);
    expect(reply.text).toMatch(message);
  });

  it("any Content-Type but JSON, or none: 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", "text/json", null]) {
      const reply = await notify(type === null ? "" : JSON.stringify(EXAMPLE_BODY), type);
      expect(reply.status).toBe(415);
      expect(reply.type).toBe(plain);
      expect(reply.text).toMatch(/application\/json/);
    }
  });
});

describe("POST /api/notify with a token, on a service with no key to verify it", () => {
  it("refuses every token as the course's service refuses one it did not sign: 500, before the cipher is looked at", async () => {
    const token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MDQxMjk4MTgsInN1YiI6ImxhbmRhdSJ9.c2lnbmF0dXJl";
    for (const body of [EXAMPLE_BODY, { ...EXAMPLE_BODY, cipher_data: "not a cipher" }]) {
      const reply = await send(`/api/notify?token=${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(reply).toEqual({ status: 500, type: plain, text: "Token must be encoded by ECC private key" });
    }
    expect((await send("/api/notify?token=", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(EXAMPLE_BODY) })).status).toBe(500);
  });
});

describe("the routes beside POST /api/notify", () => {
  it("another method on /api/notify is 405, whatever its body", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const reply = await send("/api/notify", { method, headers: { "content-type": "text/plain" }, body: method === "GET" ? undefined : "x" });
      expect([method, reply.status, reply.text]).toEqual([method, 405, "Method Not Allowed"]);
    }
    const res = await fetch(service.url("/api/notify"), { method: "HEAD" });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("GET /api/metrics counts what the course counts, by group and response type, in OpenMetrics text", async () => {
    const count = async (type: string): Promise<number> => {
      const { text } = await send("/api/metrics");
      const match = new RegExp(`^notifications_service_response_count_total\\{group="",response_type="${type}"\\} (\\d+)$`, "m").exec(text);
      return match ? Number(match[1]) : 0;
    };
    const types = ["Ok", "HashError", "InvalidData", "JwtError"];
    const before = await Promise.all(types.map(count));
    await notify(EXAMPLE_BODY); // Ok
    await notify({ ...EXAMPLE_BODY, cipher_data: "x" }); // HashError: a 400 of decryption
    await notify(bodyWith(Buffer.from("hello"))); // HashError: a 500 of decryption
    await notify(bodyWith({ ...fields, timestamp: now() }, { measurement_id: "1" })); // InvalidData
    await send("/api/notify?token=x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(EXAMPLE_BODY) }); // JwtError
    // What the course's handler never sees is not counted: a body it cannot read, another method.
    await notify("{not json");
    await notify({ ...EXAMPLE_BODY, measurement_id: null });
    await send("/api/notify");
    expect(await Promise.all(types.map(count))).toEqual([before[0] + 1, before[1] + 2, before[2] + 1, before[3] + 1]);

    const { text, type } = await send("/api/metrics");
    expect(type).toBe(plain);
    expect(text).toMatch(/^# HELP notifications_service_response_count Count of response\.\n# TYPE notifications_service_response_count counter\n/);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text.endsWith("\n# EOF\n")).toBe(true);
  });

  it("GET / is the Swagger UI, and its document describes POST /api/notify on the document's own address", async () => {
    const page = await send("/");
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toMatch(/swagger-ui/i);
    const doc = JSON.parse((await send("/json")).text);
    expect(Object.keys(doc.paths)).toEqual(["/api/notify", "/api/metrics"]);
    expect(doc.paths["/api/notify"].post.requestBody.content["application/json"].schema.required).toEqual([
      "notification_type", "researcher", "measurement_id", "experiment_id", "cipher_data",
    ]);
    expect(doc.paths["/api/notify"].post.parameters).toEqual([expect.objectContaining({ name: "token", in: "query", required: false })]);
    // Relative: resolved against where the document was served (browser.test.ts runs Swagger UI on it).
    expect(doc.servers).toEqual([{ url: "/" }]);
  });

  it("Swagger UI's Try it out sends the document's example: the assignment's request, which answers 200", async () => {
    const example = await swaggerExample(service);
    expect(example).toEqual(EXAMPLE_BODY);
    const reply = await notify(example);
    expect(reply).toMatchObject({ status: 200, type: plain });
    expect(Number(reply.text)).toBeGreaterThan(now() - EXAMPLE_TIMESTAMP - 60);
  });

  it("GET /health answers the container's HEALTHCHECK", async () => {
    expect(await send("/health")).toMatchObject({ status: 200, text: '{"status":"ok"}' });
  });
});

describe("what it survives", () => {
  it("hundreds of malformed and hostile bodies: every answer a text/plain 4xx, or one of the course's two 500s, and the process lives", async () => {
    const pieces = ["", ".", "..", "=", "~", "AAAA", "AAAAAAAAAAAAAAAA", encodeBase64NoPad(randomBytes(12)), encodeBase64NoPad(randomBytes(40))];
    const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)];
    const cipherData = (): string => {
      switch (Math.floor(Math.random() * 4)) {
        case 0: return randomBytes(Math.floor(Math.random() * 80)).toString("latin1");
        case 1: return `${pick(pieces)}${pick([".", "", ".."])}${pick(pieces)}`;
        case 2: return encryptCipherData(key, randomBytes(Math.floor(Math.random() * 64)), randomBytes(pick([1, 8, 12, 12, 16, 64])));
        default: return encryptCipherData(key, JSON.stringify(pick([null, 1, "x", [], {}, { ...fields, timestamp: pick([1, "1", null, 1e308, -1e308]) }])));
      }
    };
    const values = [null, 1, true, [], {}, "OutOfRange", "x".repeat(1000), "\u0000"];
    const allowed500 = ["Could not decode into utf8 string", "Could not deserialize json string into HashData."];
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = { ...fields, cipher_data: cipherData() };
      if (i % 3 === 0) body[pick(Object.keys(body))] = pick(values);
      const reply = await notify(i % 17 === 0 ? JSON.stringify(body).slice(0, i % 50) : body);
      expect(reply.type).toBe(plain);
      if (reply.status === 500) expect(allowed500).toContain(reply.text);
      else expect([200, 400]).toContain(reply.status);
    }
    const tooLarge = await notify({ ...EXAMPLE_BODY, researcher: "x".repeat(100_000) });
    expect(tooLarge.status).toBe(413);
    expect(service.running).toBe(true);
    expect((await notify(EXAMPLE_BODY)).status).toBe(200);
  }, 60000);

  it("logs a JSON line for each rejected notification, naming its measurement and answer; accepted ones only at debug", async () => {
    const sealed = freshNotifyBody(key, { ...fields, measurement_id: "log-check" });
    await notify({ ...sealed, measurement_id: "log-check-tampered" });
    await notify(freshNotifyBody(key, { ...fields, measurement_id: "log-check-accepted" }));
    const line = (id: string) => service.logLines().find((l) => l.measurement_id === id);
    await waitFor("the rejection's log line", () => line("log-check-tampered") !== undefined);
    expect(line("log-check-tampered")).toMatchObject({
      service: "notifications-service",
      level: "info",
      status: 400,
      msg: "notification rejected",
      answer: "Unexpected measurement_id `log-check-tampered`. Expected `log-check`",
    });
    expect(line("log-check-accepted")).toBeUndefined();
    expect(service.output()).not.toContain(EXAMPLE_SECRET_KEY);
  });
});

describe("starting and stopping", () => {
  const start = (args: string[], env: Record<string, string> = {}) => run("notifications-service", process.execPath, { args: [script, ...args], env: { PORT: "0", ...env } });

  it("takes the key from SECRET_KEY when no flag is given, -s and -e as short flags, and PORT", async () => {
    const other = await startService("from-env", { script, env: { SECRET_KEY: EXAMPLE_SECRET_KEY, EXTERNAL_IP: "203.0.113.7" } });
    try {
      expect((await fetch(other.url("/api/notify"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(EXAMPLE_BODY) })).status).toBe(200);
      expect(JSON.parse(await (await fetch(other.url("/json"))).text()).servers).toEqual([{ url: `http://203.0.113.7:${other.port}` }]);
    } finally {
      await other.stop();
    }
    const short = await startService("short-flags", { script, args: ["-s", "B".repeat(32), "-e", "10.0.0.1"] });
    try {
      // Started with another key, it cannot open the example.
      expect(await (await fetch(short.url("/api/notify"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(EXAMPLE_BODY) })).text())
        .toBe("Cipher text not encrypted with provided nonce and server key");
      // Its Try it out example is the same fields encrypted with its own key, so it answers 200 all the same.
      const example = await swaggerExample(short);
      expect(example).toMatchObject(fields);
      const tried = await fetch(short.url("/api/notify"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(example) });
      expect(tried.status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it.each<[string, string[], RegExp]>([
    ["no key at all", [], /--secret-key \(or SECRET_KEY\).*required/],
    ["a key of 31 characters", ["--secret-key", "x".repeat(31)], /must be 32 bytes/],
    ["an unknown flag", ["--secret-key", EXAMPLE_SECRET_KEY, "--verbose"], /Unknown option '--verbose'/],
    ["a malformed external address", ["--secret-key", EXAMPLE_SECRET_KEY, "--external-ip", "a b/c"], /external-ip/],
  ])("refuses to start with %s: exit 2 and one clear line, no key echoed", async (_what, args, message) => {
    const proc = start(args);
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(proc.output()).toMatch(message);
    expect(proc.output()).toMatch(/Usage: notifications-service --secret-key/);
    expect(proc.output()).not.toContain("x".repeat(31));
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["a TOKEN_PUBLIC_KEY that is not a PEM key", { TOKEN_PUBLIC_KEY: "ssh-rsa AAAA" }, /TOKEN_PUBLIC_KEY=.*not valid: a PEM RSA public key/],
    ["a DATABASE_URL that is not postgres", { DATABASE_URL: "mysql://root:s3cret-pw@db/notifications" }, /DATABASE_URL=.*<hidden>.* is not valid: a postgres:\/\/ or postgresql:\/\/ URL/],
    ["a DATABASE_URL that is not a URL", { DATABASE_URL: "s3cret-pw@db" }, /DATABASE_URL=.*<hidden>/],
  ])("refuses to start with %s: exit 2, naming the variable, no password echoed", async (_what, env, message) => {
    // A valid PORT, so that the setting under test is the one refused; a service that starts anyway is stopped.
    const proc = start(["--secret-key", EXAMPLE_SECRET_KEY], { PORT: String(await freePort()), ...env });
    const exit = await Promise.race([proc.exited, sleep(10_000).then(() => proc.stop("SIGKILL"))]);
    expect(exit.code).toBe(2);
    expect(proc.output()).toMatch(message);
    expect(proc.output()).not.toContain("s3cret-pw");
  });

  it("--help prints the usage and exits 0", async () => {
    const proc = start(["--help"]);
    expect((await proc.exited).code).toBe(0);
    expect(proc.output()).toMatch(/^Usage: notifications-service --secret-key <32 characters> \[--external-ip <host>\]/);
  });

  it("stops at once and cleanly on SIGTERM, as `docker stop` sends it", async () => {
    const other = await startService("sigterm", { script, args: ["--secret-key", EXAMPLE_SECRET_KEY] });
    const started = Date.now();
    const exit = await other.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    // "At once": closing an idle server takes milliseconds; 2 s keeps far over 3x and stays well inside
    // the 10 s `docker stop` grants before it kills.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(other.logLines().map((l) => l.msg)).toContain("stopped cleanly");
  });
});
