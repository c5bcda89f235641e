#!/bin/sh
# Parses the Flatpak manifest the way flatpak-builder does before a build, offline.
# An unknown property is only a warning to flatpak-builder, so any output on stderr fails too.
# flatpak-builder creates its state directory (.flatpak-builder) in the working directory even
# for --show-manifest, so it runs in a temporary one.
# usage: check-flatpak.sh MANIFEST
set -u

if ! command -v flatpak-builder >/dev/null 2>&1; then
  echo "flatpak-builder is not installed (tools/deps installs it)"
  exit 77
fi

manifest=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! (cd "$tmp" && flatpak-builder --show-manifest "$manifest" >/dev/null 2>"$tmp/err"); then
  cat "$tmp/err"
  exit 1
fi
if [ -s "$tmp/err" ]; then
  cat "$tmp/err"
  exit 1
fi
echo "flatpak-builder parses $1"
