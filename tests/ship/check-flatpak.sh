#!/bin/sh
# Parses the Flatpak manifest the way flatpak-builder does before a build, offline.
# An unknown property is only a warning to flatpak-builder, so any output on stderr fails too.
# usage: check-flatpak.sh MANIFEST
set -u

if ! command -v flatpak-builder >/dev/null 2>&1; then
  echo "flatpak-builder is not installed (tools/deps installs it)"
  exit 77
fi

err=$(mktemp)
trap 'rm -f "$err"' EXIT

if ! flatpak-builder --show-manifest "$1" >/dev/null 2>"$err"; then
  cat "$err"
  exit 1
fi
if [ -s "$err" ]; then
  cat "$err"
  exit 1
fi
echo "flatpak-builder parses $1"
