# shellcheck shell=bash
# The toolchain smoke scripts' reporting, sourced by each with its name as the argument: `. report.sh smoke`.
REPORT_AS=$1
step() { echo "$REPORT_AS: $*"; }
fail() {
  echo "$REPORT_AS: FAILED: $*" >&2
  exit 1
}
expect_equal() {
  local what=$1 actual=$2 expected=$3
  [ "$actual" = "$expected" ] || fail "$what is '$actual', expected '$expected'"
  step "$what = $actual"
}
