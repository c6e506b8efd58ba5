/**
 * What a credential looks like in a container's environment: by the
 * variable's name, or by the shape of its value.
 */

const CREDENTIAL_NAME = /(PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

const CREDENTIAL_VALUES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: "an AWS access key ID", pattern: /AKIA[0-9A-Z]{16}/ },
  { what: "a GitHub token", pattern: /gh[pousr]_[A-Za-z0-9]{20,}/ },
  { what: "a PEM private key", pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
  // scheme://user:password@host, e.g. DATABASE_URL=postgres://app:pw@db/app
  { what: "a URL with a password", pattern: /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i },
];

/** Why a `NAME=value` entry looks like a credential, or undefined when it does not. */
export function credentialIn(entry: string): string | undefined {
  const separator = entry.indexOf("=");
  const name = separator < 0 ? entry : entry.slice(0, separator);
  const value = separator < 0 ? "" : entry.slice(separator + 1);
  if (CREDENTIAL_NAME.test(name)) return `${name} is named like a credential`;
  const match = CREDENTIAL_VALUES.find(({ pattern }) => pattern.test(value));
  return match && `${name} holds what looks like ${match.what}`;
}
