import { extname } from "node:path";

const FALLBACK_NAME = "upload";
const MAX_NAME_LENGTH = 120;

/**
 * A client's file name made safe to use as one path segment, the way
 * werkzeug's secure_filename (which the course's Flask app uses) does it:
 * separators become underscores, so `../../etc/passwd` becomes `etc_passwd`;
 * anything outside [A-Za-z0-9._-] is dropped; leading dots and underscores
 * go, so no name is hidden or relative; an empty result becomes "upload".
 */
export function safeFileName(clientName: string): string {
  const ascii = clientName.normalize("NFKD").replace(/[^\x20-\x7e]/g, "");
  const words = ascii.replace(/[/\\]/g, " ").split(/\s+/).filter(Boolean).join("_");
  const cleaned = words.replace(/[^A-Za-z0-9._-]/g, "").replace(/^[._]+|[._]+$/g, "");
  const name = cleaned || FALLBACK_NAME;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const extension = extname(name).slice(0, 16);
  return name.slice(0, MAX_NAME_LENGTH - extension.length) + extension;
}

/** The names to try, in order, when `name` may already be taken: a.txt, a-1.txt, a-2.txt... */
export function* candidateNames(name: string, attempts: number): Generator<string> {
  yield name;
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; n < attempts; n++) yield `${stem}-${n}${extension}`;
}
