/**
 * cipher_data, as the course's notifications-service reads it:
 * base64(nonce) + "." + base64(ciphertext || 16-byte GCM tag), AES-256-GCM with
 * the 32 bytes of the secret key, a 12-byte nonce, no associated data, and
 * base64 in the standard alphabet without padding.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from "node:crypto";

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/**
 * How many UTF-8 bytes a secret-key string has when that is not the KEY_BYTES
 * an AES-256 key needs, or undefined when it is: the one check the service,
 * the probe and the program's config all make.
 */
export function wrongSecretKeyLength(secretKey: string): number | undefined {
  const bytes = Buffer.byteLength(secretKey, "utf8");
  return bytes === KEY_BYTES ? undefined : bytes;
}

/** The AES key of a secret-key string: its UTF-8 bytes, which must number exactly 32. */
export function secretKeyBytes(secretKey: string): Buffer {
  const wrongLength = wrongSecretKeyLength(secretKey);
  if (wrongLength !== undefined) {
    throw new Error(`the secret key must be ${KEY_BYTES} bytes (32 ASCII characters); this one is ${wrongLength}`);
  }
  return Buffer.from(secretKey, "utf8");
}

/** Unpadded standard base64 without padding, strictly: no "=", no other alphabet, no stray trailing bits. */
export function encodeBase64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, ""); // a view, not a copy
}

/**
 * The bytes of `text`, or undefined where a strict unpadded decoder would
 * refuse it. Node decodes leniently (other alphabets, padding, whitespace,
 * stray bits), so the text is strict exactly when the bytes it gives encode
 * back to it: one native decode and encode, cheaper than scanning it with a
 * regular expression on every request.
 */
export function decodeBase64NoPad(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, "base64");
  return encodeBase64NoPad(bytes) === text ? bytes : undefined;
}

/** Encrypts `plaintext` into cipher_data; a random nonce unless one is given. */
export function encryptCipherData(key: Uint8Array, plaintext: string | Uint8Array, nonce: Uint8Array = randomBytes(NONCE_BYTES)): string {
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${encodeBase64NoPad(nonce)}.${encodeBase64NoPad(sealed)}`;
}

/** Why cipher_data could not be opened, in the order the checks run. */
export type OpenFailure = "invalid-cipher" | "malformed-nonce" | "malformed-ciphertext" | "not-encrypted-with-key";

export type OpenResult = { ok: true; plaintext: Buffer } | { ok: false; failure: OpenFailure };

/**
 * Opens cipher_data with `key`. Never throws on any input: a nonce of the
 * wrong length (which crashes the course's service) is an invalid cipher.
 */
export function openCipherData(key: Uint8Array | KeyObject, cipherData: string): OpenResult {
  const parts = cipherData.split(".");
  if (parts.length !== 2) return { ok: false, failure: "invalid-cipher" };
  const nonce = decodeBase64NoPad(parts[0]);
  if (!nonce) return { ok: false, failure: "malformed-nonce" };
  const sealed = decodeBase64NoPad(parts[1]);
  if (!sealed) return { ok: false, failure: "malformed-ciphertext" };
  if (nonce.length !== NONCE_BYTES) return { ok: false, failure: "invalid-cipher" };
  if (sealed.length < TAG_BYTES) return { ok: false, failure: "not-encrypted-with-key" };
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    decipher.final(); // checks the tag; GCM, a stream mode, has no bytes left to give here
    return { ok: true, plaintext };
  } catch {
    return { ok: false, failure: "not-encrypted-with-key" };
  }
}
