import { createHash } from "node:crypto";

/** The key types OpenSSH servers present (ssh-keyscan's first field). */
const HOST_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"];

/** A key blob's SSH strings (each a 4-byte big-endian length, then that many bytes); undefined unless they fill it exactly. */
function sshStrings(blob: Buffer): Buffer[] | undefined {
  const strings: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    if (offset + 4 > blob.length) return undefined;
    const end = offset + 4 + blob.readUInt32BE(offset);
    if (end > blob.length) return undefined;
    strings.push(blob.subarray(offset + 4, end));
    offset = end;
  }
  return strings;
}

/**
 * The host key to pin, "<type> <base64>", from the one line a user has: a
 * public key file's ("<type> <base64> [comment]"), or ssh-keyscan's and
 * known_hosts', which start with the host ("192.0.2.20 <type> <base64>",
 * "[192.0.2.20]:2222 <type> <base64>"). Undefined when it is not one: the
 * base64 must decode to a whole key blob that names the same type (a
 * truncated line does not), and several lines (ssh-keyscan without -t) or a
 * marked known_hosts line (@cert-authority, @revoked) are refused.
 */
export function pinnedHostKey(value: string): string | undefined {
  const line = value.trim();
  if (line.includes("\n")) return undefined;
  const fields = line.split(/\s+/);
  const hostFirst = !HOST_KEY_TYPES.includes(fields[0]) && /^[^@#]/.test(fields[0]) && HOST_KEY_TYPES.includes(fields[1]);
  const [type, data] = hostFirst ? fields.slice(1) : fields;
  if (!type || !data || !HOST_KEY_TYPES.includes(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const strings = sshStrings(Buffer.from(data, "base64"));
  if (!strings || strings.length < 2 || strings[0].toString("latin1") !== type) return undefined;
  return `${type} ${data}`;
}

/**
 * A machine as ssh-keyscan's line names it, "<host> <type> <base64>" (or
 * "[<host>]:<port> ..." on another port): its host and the key to pin.
 * Undefined unless the line starts with the host and pinnedHostKey takes it.
 */
export function scannedMachine(value: string): { host: string; port?: number; hostKey: string } | undefined {
  const hostKey = pinnedHostKey(value);
  const first = value.trim().split(/\s+/)[0];
  if (hostKey === undefined || HOST_KEY_TYPES.includes(first)) return undefined;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(first);
  return bracketed ? { host: bracketed[1], port: Number(bracketed[2]), hostKey } : { host: first, hostKey };
}

/** The SHA256 fingerprint OpenSSH shows for a host key line (any form pinnedHostKey takes), e.g. SHA256:uNiVz..., or undefined when it is not one. */
export function hostKeyFingerprint(line: string): string | undefined {
  const pinned = pinnedHostKey(line);
  if (pinned === undefined) return undefined;
  const blob = Buffer.from(pinned.split(" ")[1], "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Where the message below has ssh-keyscan's line kept, so that the key pinned is the one whose fingerprint was compared. */
export const SCANNED_HOST_KEY_FILE = "/tmp/container-labs-host-key";

/**
 * How a user reads a machine's host key and checks it before pinning it: the
 * message of a missing or malformed sshHostKey. One scan, kept in a file: its
 * fingerprint is compared and that very line pinned (a second scan could
 * meet another machine).
 */
export function howToPinHostKey(host: string, port: number): string {
  const scan = `ssh-keyscan -t ed25519${port === 22 ? "" : ` -p ${port}`} ${host || "<host>"} 2>/dev/null | tee ${SCANNED_HOST_KEY_FILE}`;
  return [
    `the machine's SSH host public key, one line: no connection is made without it.`,
    `\`${scan}\` prints the line to pin ("<host> ssh-ed25519 AAAAC3Nz...", taken as it is) and keeps it;`,
    `\`ssh-keygen -lf ${SCANNED_HOST_KEY_FILE}\` prints its fingerprint: compare it with the one the machine itself shows`,
    `(\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on its console, or your provider's console log).`,
    `Only if they are the same: \`npm run pulumi -- config set sshHostKey "$(cat ${SCANNED_HOST_KEY_FILE})"\``,
  ].join(" ");
}
