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

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # Debian's nodejs package brings both; only attempted where we may install (CI and developers are root).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "src/main/web/vendor.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi

mkdir -p "$work" "$out"
# Reinstall only when the pinned set changed.
if ! cmp -s "$root/src/main/web/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/uplot" ]; then
  cp "$root/src/main/web/package.json" "$root/src/main/web/package-lock.json" "$work/"
  # --ignore-scripts: uPlot needs no install script, and none should run at build time.
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$work/node_modules/uplot/dist/uPlot.iife.min.js" "$work/node_modules/uplot/dist/uPlot.min.css" \
  "$work/node_modules/uplot/LICENSE" "$out/"
