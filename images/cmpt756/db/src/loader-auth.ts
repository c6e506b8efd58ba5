import { createHash, timingSafeEqual } from "node:crypto";

/** The only user POST /load accepts, as in the course's loader. */
export const LOADER_USER = "svc-loader";

export type LoaderAuth = { ok: true } | { ok: false; error: string };

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Checks an `Authorization: Basic` header against svc-loader's password, in constant time. */
export function checkLoaderAuth(header: string | undefined, password: string): LoaderAuth {
  if (!header) return { ok: false, error: "missing auth" };
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) return { ok: false, error: "/load needs HTTP Basic auth" };
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const given = colon < 0 ? "" : decoded.slice(colon + 1);
  const passwordMatches = timingSafeEqual(digest(given), digest(password));
  if (user !== LOADER_USER || !passwordMatches) return { ok: false, error: "invalid credentials for /load" };
  return { ok: true };
}
