/**
 * The course's group token: `POST /api/notify?token=<JWT>`, an RS256 JWT
 * whose `sub` is the student group and whose `exp` is checked. The course
 * signs it with a private key it keeps and verifies it with the public key
 * built into its service; here both keys are settings (a PEM each), so a
 * stack can make its own pair.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";

const ALGORITHM = "RS256";

/** The course's verifier (jsonwebtoken 8) accepts a token up to 60 s past its `exp`. */
export const TOKEN_LEEWAY_SECONDS = 60;

/**
 * A PEM as an environment variable may carry it: with real line breaks, or
 * with each one written as the two characters `\n` (a .env file, a one-line secret).
 */
function pemText(pem: string): string {
  return pem.includes("\n") ? pem : pem.replace(/\\n/g, "\n");
}

function requireRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "rsa") {
    throw new Error(`${what} is a ${key.asymmetricKeyType ?? "non-asymmetric"} key; RS256 needs an RSA key`);
  }
  return key;
}

/** The key that verifies tokens: an RSA public key (SPKI or PKCS#1 PEM) or an X.509 certificate holding one. */
export function tokenPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pemText(pem));
  } catch (err) {
    throw new Error(`not a PEM public key or certificate (${(err as Error).message})`);
  }
  return requireRsa(key, "the public key");
}

/** The key that signs tokens: an RSA private key in PEM (PKCS#8 or PKCS#1, unencrypted). */
export function tokenPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pemText(pem));
  } catch (err) {
    throw new Error(`not an unencrypted PEM private key (${(err as Error).message})`);
  }
  return requireRsa(key, "the private key");
}

/** A token for `group` that expires `ttlSeconds` from now. */
export function signGroupToken(privateKey: KeyObject, group: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(group)
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(privateKey);
}

/**
 * The group a token names. Rejects, as the course's service does, a token not
 * signed with RS256 by the matching private key, one without `exp` or past
 * it (beyond the leeway), and one without a string `sub`; with no public key
 * every token is rejected.
 */
export async function verifyGroupToken(publicKey: KeyObject | undefined, token: string): Promise<string> {
  if (!publicKey) throw new Error("no public key is configured to verify tokens with");
  const { payload } = await jwtVerify(token, publicKey, {
    algorithms: [ALGORITHM],
    requiredClaims: ["exp"],
    clockTolerance: TOKEN_LEEWAY_SECONDS,
  });
  if (typeof payload.sub !== "string") throw new Error("the token has no `sub` claim naming the group");
  return payload.sub;
}
