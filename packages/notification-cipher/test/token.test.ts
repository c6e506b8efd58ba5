import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, UnsecuredJWT } from "jose";
import {
  TOKEN_LEEWAY_SECONDS, signGroupToken, tokenPrivateKey, tokenPublicKey, verifyGroupToken,
} from "@container-labs/notification-cipher";

// As a stack's generated pair comes: the public key in SPKI, the private key in PKCS#1.
const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
const privatePem = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);

/** A token signed by `key` with exactly these claims and this algorithm. */
function token(claims: Record<string, unknown>, key: KeyObject | Uint8Array = pair.privateKey, alg = "RS256"): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

describe("the group token", () => {
  it("names its group: what the probe signs, the service verifies", async () => {
    const signed = await signGroupToken(tokenPrivateKey(privatePem), "group7", 300);
    await expect(verifyGroupToken(tokenPublicKey(publicPem), signed)).resolves.toBe("group7");
  });

  it("expires as the course's does: accepted up to the leeway past exp, refused beyond it", async () => {
    const key = tokenPublicKey(publicPem);
    await expect(verifyGroupToken(key, await token({ sub: "g", exp: now() - TOKEN_LEEWAY_SECONDS + 5 }))).resolves.toBe("g");
    await expect(verifyGroupToken(key, await token({ sub: "g", exp: now() - TOKEN_LEEWAY_SECONDS - 5 }))).rejects.toThrow(/exp/);
  });

  it.each<[string, () => Promise<string>]>([
    ["signed by another key", () => token({ sub: "g", exp: now() + 60 }, other.privateKey)],
    ["without exp", () => token({ sub: "g" })],
    ["without sub", () => token({ exp: now() + 60 })],
    ["with a sub that is not a string", () => token({ sub: 7, exp: now() + 60 })],
    ["signed with HS256 by the public key's bytes", () => token({ sub: "g", exp: now() + 60 }, new TextEncoder().encode(publicPem), "HS256")],
    ["unsigned (alg none)", async () => new UnsecuredJWT({ sub: "g", exp: now() + 60 }).encode()],
    ["not a JWT", async () => "not-a-token"],
  ])("refuses a token %s", async (_what, make) => {
    await expect(verifyGroupToken(tokenPublicKey(publicPem), await make())).rejects.toThrow();
  });

  it("refuses every token when no public key is configured", async () => {
    await expect(verifyGroupToken(undefined, await token({ sub: "g", exp: now() + 60 }))).rejects.toThrow(/no public key/);
  });

  it("reads keys as a setting carries them: PKCS#8 or PKCS#1, or with \\n written for each line break", () => {
    const pkcs8 = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(tokenPrivateKey(pkcs8).asymmetricKeyType).toBe("rsa");
    expect(tokenPublicKey(pair.publicKey.export({ type: "pkcs1", format: "pem" }).toString()).asymmetricKeyType).toBe("rsa");
    const oneLine = publicPem.trim().split("\n").join("\\n");
    expect(tokenPublicKey(oneLine).export({ type: "spki", format: "pem" })).toEqual(publicPem);
  });

  it("verifies with the key of a certificate, the form the course's service keeps its key in (ca.crt)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "token-cert-"));
    try {
      writeFileSync(join(dir, "ca.key"), privatePem);
      const certificate = execFileSync("openssl", ["req", "-x509", "-key", join(dir, "ca.key"), "-subj", "/CN=notifications", "-days", "1"]).toString();
      expect(certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
      await expect(verifyGroupToken(tokenPublicKey(certificate), await token({ sub: "landau", exp: now() + 60 }))).resolves.toBe("landau");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says what is wrong with a key that cannot sign or verify RS256", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(() => tokenPublicKey(ec.publicKey.export({ type: "spki", format: "pem" }).toString())).toThrow(/ec key; RS256 needs an RSA key/);
    expect(() => tokenPublicKey("hello")).toThrow(/not a PEM public key or certificate/);
    expect(() => tokenPrivateKey(publicPem)).toThrow(/not an unencrypted PEM private key/);
  });
});
