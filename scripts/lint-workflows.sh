#!/usr/bin/env bash
# Lints the GitHub Actions workflows and local actions under .github/ with two
# real linters, and fails on any finding:
#   actionlint  syntax, expressions, runner labels, and shellcheck over every run: step
#   zizmor      security: permissions, persisted credentials, template injection,
#               unpinned actions, cache poisoning, ... (offline audits: no GitHub API here)
# Both are installed once, at pinned versions, into the cache directory and reused:
# actionlint with `go install` (needs Go), zizmor with pip into a venv (needs python3).
# Findings the project accepts are listed, with the reason, in .github/zizmor.yml
# and the README's "CI and pull requests".
#
# Usage: scripts/lint-workflows.sh [directory holding .github/; default: this repository]
set -euo pipefail

actionlint_version=v1.7.12
zizmor_version=1.32.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$("$root/scripts/node-runtime.sh" run packages/test-kit/bin/cache-dir.ts)"
actionlint_dir="$cache/actionlint-$actionlint_version"
zizmor_venv="$cache/zizmor-$zizmor_version"

if [ ! -x "$actionlint_dir/actionlint" ]; then
  echo "lint-workflows: installing actionlint $actionlint_version into $actionlint_dir" >&2
  GOBIN="$actionlint_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
fi
if [ ! -x "$zizmor_venv/bin/zizmor" ]; then
  echo "lint-workflows: installing zizmor $zizmor_version into $zizmor_venv" >&2
  python3 -m venv --clear "$zizmor_venv"
  "$zizmor_venv/bin/pip" install --quiet --disable-pip-version-check "zizmor==$zizmor_version"
fi

cd "${1:-$root}"
workflows=(.github/workflows/*.yml)
status=0
echo "== actionlint $actionlint_version"
"$actionlint_dir/actionlint" -no-color "${workflows[@]}" || status=1
echo "== zizmor $zizmor_version (offline)"
"$zizmor_venv/bin/zizmor" --offline --no-progress --color=never . || status=1
if [ "$status" -eq 0 ]; then echo "lint-workflows: no findings"; fi
exit "$status"
