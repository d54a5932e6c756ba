#!/usr/bin/env bash
# Installs dynalite (npm, Apache-2.0), a DynamoDB-compatible server, for the lease tests (DynamoDbLeaseStoreTest
# starts it on loopback). Run by the build before the tests (phase process-test-resources); runs alone too.
#
# It is installed with `npm ci` from the committed lock file into target/dynalite, so a fresh clone needs only node
# and npm, and nothing outside the work tree changes. A second run reuses it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$root/target/dynalite"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # Debian's nodejs package brings both; only attempted where we may install (CI and developers are root).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "src/test/dynalite/install.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi

mkdir -p "$work"
# Reinstall only when the pinned set changed.
if ! cmp -s "$root/src/test/dynalite/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$root/src/test/dynalite/package.json" "$root/src/test/dynalite/package-lock.json" "$work/"
  # --ignore-scripts: the one install script in the set, classic-level's (LevelDB, which dynalite loads even when
  # it keeps its tables in memory, as the tests do), only compiles the addon where no prebuilt one fits; the
  # package ships prebuilt ones for Linux, macOS and Windows on x64 and arm64, and no script should run at build time.
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# Fails the build here, not in a test, if the addon does not load on this platform.
(cd "$work" && node -e "require('dynalite')")
