#!/bin/sh
# Generates the libagsignal API reference into a temporary directory with gi-docgen, warnings
# fatal: a broken link, an unknown type in a comment or a bad fragment fails, and so does a public
# symbol without documentation.
# usage: check-api-docs.sh GI_DOCGEN CONFIG CONTENT_DIR GIR
set -u

gidocgen=$1 config=$2 content=$3 gir=$4

if [ -z "$gidocgen" ]; then
  echo "gi-docgen is not installed (tools/deps installs it)"
  exit 77
fi
if [ -z "$gir" ]; then
  echo "no introspection data: configured with -Dintrospection=disabled"
  exit 77
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$gidocgen" generate --quiet --fatal-warnings --config "$config" --content-dir "$content" \
  --output-dir "$out/agsignal-1" --no-namespace-dir "$gir" || exit 1

for page in index.html overview.html class.Signal.html class.Session.html class.Channel.html \
            class.Call.html class.Member.html class.Attribute.html error.Error.html \
            agsignal-1.devhelp2; do
  if [ ! -s "$out/agsignal-1/$page" ]; then
    echo "gi-docgen did not write $page"
    exit 1
  fi
done
# Every public symbol documented: gi-docgen check prints a WARNING line for each one that is not.
undocumented=$("$gidocgen" check --config "$config" "$gir" 2>&1 | grep WARNING)
if [ -n "$undocumented" ]; then
  echo "$undocumented"
  exit 1
fi
echo "gi-docgen generated the reference without warnings; every public symbol is documented"
