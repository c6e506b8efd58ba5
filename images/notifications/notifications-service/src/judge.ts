/**
 * The heart of POST /api/notify, the course's checks in the course's order:
 * open cipher_data with the server's key, read the HashData inside, compare
 * it with the body, and take the latency. No HTTP here.
 */
import type { KeyObject } from "node:crypto";
import { epochSeconds, openCipherData, parseHashData, type NotifyBody, type OpenFailure } from "@container-labs/notification-cipher";

export type Judgement =
  | { ok: true; latency: number }
  | { ok: false; status: 400 | 500; text: string; responseType: "HashError" | "InvalidData" };

const OPEN_FAILURES: Record<OpenFailure, string> = {
  "invalid-cipher": "Invalid cipher",
  "malformed-nonce": "Malformed b64 encoded nonce",
  "malformed-ciphertext": "Malformed b64 encoded ciphertext",
  "not-encrypted-with-key": "Cipher text not encrypted with provided nonce and server key",
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const hashError = (status: 400 | 500, text: string): Judgement => ({ ok: false, status, text, responseType: "HashError" });
const invalidData = (text: string): Judgement => ({ ok: false, status: 400, text, responseType: "InvalidData" });

/** The verdict on a notification whose body has been read; `now` is epoch seconds. */
export function judgeNotification(key: Uint8Array | KeyObject, body: NotifyBody, now: () => number = epochSeconds): Judgement {
  const opened = openCipherData(key, body.cipher_data);
  if (!opened.ok) return hashError(400, OPEN_FAILURES[opened.failure]);
  let plaintext: string;
  try {
    plaintext = strictUtf8.decode(opened.plaintext);
  } catch {
    return hashError(500, "Could not decode into utf8 string");
  }
  const data = parseHashData(plaintext);
  if (!data) return hashError(500, "Could not deserialize json string into HashData.");

  for (const field of ["measurement_id", "experiment_id", "researcher"] as const) {
    if (body[field] !== data[field]) return invalidData(`Unexpected ${field} \`${body[field]}\`. Expected \`${data[field]}\``);
  }
  if (data.notification_type === null) {
    return invalidData(`Unexpected notification. Measurement \`${data.measurement_id}\` should not have been notified`);
  }
  if (data.notification_type !== body.notification_type) {
    return invalidData(`Unexpected notification_type \`${body.notification_type}\`. Expected \`${data.notification_type}\``);
  }
  return { ok: true, latency: now() - data.timestamp };
}
