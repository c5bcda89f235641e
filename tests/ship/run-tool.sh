#!/bin/sh
# Runs a validation tool, or reports the test as skipped (77) when it is not installed, so a
# build without it (a Flatpak SDK, a minimal machine) still configures. tools/deps installs
# every one of them, so CI never skips.
# usage: run-tool.sh TOOL [ARGUMENT]...
tool=$1
shift
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "$tool is not installed (tools/deps installs it)"
  exit 77
fi
exec "$tool" "$@"
