#!/usr/bin/env bash
# Vendors the status page's chart library (uPlot, pinned in src/main/web/package.json and its lock file) into the
# served static resources: target/classes/META-INF/resources/vendor/. Run by the build in generate-resources, so
# the page never loads anything from a CDN and the built files are never committed; runs alone too.
#
# Installed with `npm ci` from the committed lock file into target/web, so a fresh clone needs only node and npm,
# and nothing outside the work tree changes. A second run reuses the install unless the lock file changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$root/target/web"
out="$root/target/classes/META-INF/resources/vendor"

# shellcheck source=../../../build/npm-pinned.sh
. "$root/build/npm-pinned.sh"
# uPlot needs no install script.
mkdir -p "$out"
npm_pinned src/main/web/vendor.sh "$root/src/main/web" "$work" node_modules/uplot
cp "$work/node_modules/uplot/dist/uPlot.iife.min.js" "$work/node_modules/uplot/dist/uPlot.min.css" \
  "$work/node_modules/uplot/LICENSE" "$out/"
