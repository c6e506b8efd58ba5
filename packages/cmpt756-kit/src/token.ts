import type { onRequestHookHandler } from "fastify";

/** jose, required at the first token made or checked: the kit's other users (the db service) never load it. */
const jose = (): typeof import("jose") => require("jose") as typeof import("jose");

/**
 * The login token: an HS256 JWT carrying the course's `user_id` claim, with
 * iat and exp. s1 issues it; s1 and s2 verify it (the course never did).
 */
const ALGORITHM = "HS256";

export type TokenKey = Uint8Array;

export function tokenKey(secret: string): TokenKey {
  return new TextEncoder().encode(secret);
}

export function issueToken(key: TokenKey, userId: string, ttlSeconds: number): Promise<string> {
  return new (jose().SignJWT)({ user_id: userId })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

/** The user id the token was issued for; throws when the signature, the expiry or the claim is wrong. */
export async function verifyToken(key: TokenKey, token: string): Promise<string> {
  const { payload } = await jose().jwtVerify(token, key, { algorithms: [ALGORITHM], requiredClaims: ["exp"] });
  if (typeof payload.user_id !== "string") throw new Error("the token has no user_id claim");
  return payload.user_id;
}

/**
 * The Authorization header carries the JWT either bare (as the course's
 * Postman collection sends it) or as "Bearer <jwt>".
 */
export function tokenFromHeader(header: string): string {
  return header.replace(/^Bearer\s+/i, "").trim();
}

function rejection(err: unknown): string {
  if (err instanceof jose().errors.JWTExpired) return "token expired";
  return `invalid token: ${(err as Error).message}`;
}

/** A hook for protected routes: 401 {"error": "missing auth"} without the header, 401 for a token that does not verify. */
export function requireAuth(key: TokenKey): onRequestHookHandler {
  return async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) return reply.code(401).send({ error: "missing auth" });
    try {
      await verifyToken(key, tokenFromHeader(header));
    } catch (err) {
      return reply.code(401).send({ error: rejection(err) });
    }
  };
}
