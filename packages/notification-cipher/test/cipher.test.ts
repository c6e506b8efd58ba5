import { createDecipheriv } from "node:crypto";
import {
  EXAMPLE_BODY, EXAMPLE_SECRET_KEY, EXAMPLE_TIMESTAMP, decodeBase64NoPad, encodeBase64NoPad, encryptCipherData,
  epochSeconds, freshNotifyBody, openCipherData, parseHashData, secretKeyBytes,
} from "@container-labs/notification-cipher";

const key = secretKeyBytes(EXAMPLE_SECRET_KEY);

describe("cipher_data", () => {
  it("opens the assignment's own cipher_data with the assignment's key", () => {
    const opened = openCipherData(key, EXAMPLE_BODY.cipher_data);
    if (!opened.ok) throw new Error(opened.failure);
    expect(parseHashData(opened.plaintext.toString("utf8"))).toEqual({
      notification_type: "OutOfRange",
      researcher: "d.landau@uu.nl",
      experiment_id: "5678",
      measurement_id: "1234",
      timestamp: EXAMPLE_TIMESTAMP,
    });
  });

  it("writes what a plain AES-256-GCM decryption reads: 12-byte nonce, ciphertext then 16-byte tag, unpadded base64", () => {
    const nonce = Buffer.from("000102030405060708090a0b", "hex");
    const cipherData = encryptCipherData(key, "hello", nonce);
    const [noncePart, sealedPart] = cipherData.split(".");
    expect(noncePart).toBe("AAECAwQFBgcICQoL");
    expect(sealedPart).not.toMatch(/=/);
    const sealed = Buffer.from(sealedPart, "base64");
    expect(sealed).toHaveLength(5 + 16);
    const decipher = createDecipheriv("aes-256-gcm", Buffer.from(EXAMPLE_SECRET_KEY), nonce);
    decipher.setAuthTag(sealed.subarray(5));
    expect(Buffer.concat([decipher.update(sealed.subarray(0, 5)), decipher.final()]).toString()).toBe("hello");
  });

  it("reports each failure in the course's order and never throws", () => {
    const good = encryptCipherData(key, "{}");
    const [nonce, sealed] = good.split(".");
    expect(openCipherData(key, "no-dot")).toEqual({ ok: false, failure: "invalid-cipher" });
    expect(openCipherData(key, `${good}.x`)).toEqual({ ok: false, failure: "invalid-cipher" });
    expect(openCipherData(key, `~${nonce.slice(1)}.~`)).toEqual({ ok: false, failure: "malformed-nonce" });
    expect(openCipherData(key, `${nonce}.~${sealed.slice(1)}`)).toEqual({ ok: false, failure: "malformed-ciphertext" });
    expect(openCipherData(key, `${encodeBase64NoPad(Buffer.alloc(16))}.${sealed}`)).toEqual({ ok: false, failure: "invalid-cipher" });
    expect(openCipherData(key, `.${sealed}`)).toEqual({ ok: false, failure: "invalid-cipher" });
    expect(openCipherData(key, `${nonce}.`)).toEqual({ ok: false, failure: "not-encrypted-with-key" });
    expect(openCipherData(secretKeyBytes("x".repeat(32)), good)).toEqual({ ok: false, failure: "not-encrypted-with-key" });
    const flipped = Buffer.from(sealed, "base64");
    flipped[0] ^= 1;
    expect(openCipherData(key, `${nonce}.${encodeBase64NoPad(flipped)}`)).toEqual({ ok: false, failure: "not-encrypted-with-key" });
  });

  it("decodes base64 as strictly as an unpadded standard decoder", () => {
    expect(decodeBase64NoPad("aGk")).toEqual(Buffer.from("hi"));
    expect(decodeBase64NoPad("")).toEqual(Buffer.alloc(0));
    expect(decodeBase64NoPad("aGk=")).toBeUndefined(); // padding
    expect(decodeBase64NoPad("aGl")).toBeUndefined(); // non-zero trailing bits
    expect(decodeBase64NoPad("aGk-")).toBeUndefined(); // URL-safe alphabet
    expect(decodeBase64NoPad("aGk ")).toBeUndefined();
    expect(decodeBase64NoPad("aGkxa")).toBeUndefined(); // a length no encoding has
  });

  it("accepts exactly the texts of the strict grammar: the standard alphabet, no lone last character, no stray bits", () => {
    // Every ending of one to three characters, in front of a whole group, against the grammar written out.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const strict = (text: string): boolean => {
      const tail = text.length % 4;
      if (tail === 1 || [...text].some((c) => !alphabet.includes(c))) return false;
      // 2 characters of a last group carry 12 bits for 1 byte, 3 carry 18 for 2: the extra bits must be 0.
      const strayBits = tail === 2 ? 0b1111 : tail === 3 ? 0b11 : 0;
      return (alphabet.indexOf(text[text.length - 1]) & strayBits) === 0;
    };
    const endings = [...alphabet, "=", "-", " "].flatMap((a) => [a, ...[...alphabet, "="].flatMap((b) => [a + b, a + b + "A", a + b + "/", a + b + "="])]);
    const disagreements = endings.map((ending) => `aGkx${ending}`).filter((text) => (decodeBase64NoPad(text) !== undefined) !== strict(text));
    expect(disagreements).toEqual([]);
  });

  it("takes only a 32-byte secret key", () => {
    expect(secretKeyBytes(EXAMPLE_SECRET_KEY)).toHaveLength(32);
    expect(() => secretKeyBytes("short")).toThrow(/32 bytes .* this one is 5/);
    expect(() => secretKeyBytes("x".repeat(33))).toThrow(/this one is 33/);
  });
});

describe("HashData", () => {
  const data = { notification_type: "Stabilized", researcher: "r", experiment_id: "e", measurement_id: "m", timestamp: 1 };

  it("accepts what the course's struct accepts: null or absent type, integer timestamps, extra members", () => {
    expect(parseHashData(JSON.stringify(data))).toEqual(data);
    expect(parseHashData(JSON.stringify({ ...data, notification_type: null }))?.notification_type).toBeNull();
    const { notification_type: _omitted, ...untyped } = data;
    expect(parseHashData(JSON.stringify(untyped))?.notification_type).toBeNull();
    expect(parseHashData(JSON.stringify({ ...data, extra: [1] }))).toEqual(data);
  });

  it("refuses anything else", () => {
    for (const text of [
      "", "not json", "[]", "null", "1",
      JSON.stringify({ ...data, notification_type: "Other" }),
      JSON.stringify({ ...data, timestamp: "1" }),
      JSON.stringify({ ...data, researcher: 1 }),
      JSON.stringify({ ...data, measurement_id: undefined }),
    ]) {
      expect(parseHashData(text)).toBeUndefined();
    }
  });

  it("makes fresh bodies whose cipher carries the same fields and the given time", () => {
    const { cipher_data: _c, ...fields } = EXAMPLE_BODY;
    const body = freshNotifyBody(key, fields, 12.5);
    expect(body).toMatchObject(fields);
    const opened = openCipherData(key, body.cipher_data);
    if (!opened.ok) throw new Error(opened.failure);
    expect(parseHashData(opened.plaintext.toString())).toEqual({ ...fields, timestamp: 12.5 });
    expect(freshNotifyBody(key, fields).cipher_data).not.toBe(freshNotifyBody(key, fields).cipher_data);
  });
});

describe("epochSeconds", () => {
  it("agrees with the wall clock and resolves below a millisecond", () => {
    // Bracketed by the wall clock read just before and after (a loaded machine may pause anywhere).
    const before = Date.now() / 1000;
    const sample = epochSeconds();
    const after = Date.now() / 1000;
    expect(sample).toBeGreaterThanOrEqual(before - 0.001);
    expect(sample).toBeLessThanOrEqual(after + 0.001);
    const samples = Array.from({ length: 2000 }, () => epochSeconds());
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThanOrEqual(samples[i - 1]);
    // A millisecond clock moves in steps of 0.001 s or not at all; this one takes smaller steps.
    const steps = samples.slice(1).map((s, i) => s - samples[i]);
    expect(steps.some((step) => step > 0 && step < 0.0005)).toBe(true);
  });
});
