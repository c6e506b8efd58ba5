/**
 * User data as EC2 takes it: EC2 holds at most 16 KB of it, and cloud-init
 * reads a gzipped document as well as a plain one, so the document goes in
 * gzipped (base64 for the API). Node's gzip header carries no time stamp, so
 * the same document always gives the same bytes: no diff, no replacement.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** EC2's limit on user data, counted before base64. */
export const EC2_USER_DATA_LIMIT_BYTES = 16 * 1024;

export function gzipUserData(document: string): string {
  return gzipSync(Buffer.from(document, "utf8"), { level: 9 }).toString("base64");
}

/** The document cloud-init reads from `userDataBase64`. */
export function userDataDocument(base64: string): string {
  return gunzipSync(Buffer.from(base64, "base64")).toString("utf8");
}
