#!/usr/bin/env bash
# Succeeds only when an OpenPGP key file (armored or binary) holds exactly one
# primary key and that key's fingerprint is the expected one: an apt
# repository's signing key is trusted only after this check, so a tampered
# download (or a second key slipped into it) stops the install.
set -euo pipefail

usage="usage: container-labs-verify-key <key file> <expected fingerprint, 40 hex digits, spaces allowed>"
key_file="${1:?$usage}"
expected="$(printf '%s' "${2:?$usage}" | tr -d ' ' | tr '[:lower:]' '[:upper:]')"

gpg_home="$(mktemp -d)"
trap 'rm -rf "$gpg_home"' EXIT
# In --with-colons output a "pub" record opens a primary key and the next
# "fpr" record is its fingerprint (field 10); subkeys' "fpr" records follow "sub".
listing="$(gpg --homedir "$gpg_home" --batch --quiet --show-keys --with-colons "$key_file" 2>/dev/null || true)"
primaries="$(printf '%s\n' "$listing" | awk -F: '$1 == "pub" { want = 1; next } $1 == "fpr" && want { print $10; want = 0 }')"

if [ "$primaries" != "$expected" ]; then
  echo "container-labs-verify-key: $key_file holds the primary key(s) [$(printf '%s' "$primaries" | tr '\n' ' ')], expected exactly $expected: not trusting it" >&2
  exit 1
fi
echo "container-labs-verify-key: $key_file is the key $expected"
