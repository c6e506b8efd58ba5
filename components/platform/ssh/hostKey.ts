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
 * The SHA256 fingerprint OpenSSH shows for a public key line ("<type>
 * <base64> [comment]"), e.g. SHA256:uNiVz..., or undefined when the line is
 * not one: the base64 must decode to a whole key blob that names the same
 * type (a truncated line does not).
 */
export function hostKeyFingerprint(line: string): string | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (!type || !data || !HOST_KEY_TYPES.includes(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const blob = Buffer.from(data, "base64");
  const strings = sshStrings(blob);
  if (!strings || strings.length < 2 || strings[0].toString("latin1") !== type) return undefined;
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** How a user reads a machine's host key and checks it before pinning it: the message of a missing or malformed sshHostKey. */
export function howToPinHostKey(host: string): string {
  const target = host || "<host>";
  return [
    `the machine's SSH host public key, one line such as "ssh-ed25519 AAAAC3Nz...": no connection is made without it.`,
    `Read it with \`ssh-keyscan -t ed25519 ${target}\` and compare its fingerprint (\`ssh-keyscan -t ed25519 ${target} | ssh-keygen -lf -\`)`,
    `with the one the machine itself shows (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on its console, or your provider's console log);`,
    `then \`npm run pulumi -- config set sshHostKey "<the line>"\``,
  ].join(" ");
}
