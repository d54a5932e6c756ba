#!/usr/bin/env bash
# Installs dynalite (npm, Apache-2.0), a DynamoDB-compatible server, for the lease tests (DynamoDbLeaseStoreTest
# starts it on loopback). Run by the build before the tests (phase process-test-classes); runs alone too.
#
# It is installed with `npm ci` from the committed lock file into target/dynalite, so a fresh clone needs only node
# and npm, and nothing outside the work tree changes. A second run reuses it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$root/target/dynalite"

# shellcheck source=../../../build/npm-pinned.sh
. "$root/build/npm-pinned.sh"
# The one install script in the set, classic-level's (LevelDB, which dynalite loads even when it keeps its tables in
# memory, as the tests do), only compiles the addon where no prebuilt one fits; the package ships prebuilt ones for
# Linux, macOS and Windows on x64 and arm64.
npm_pinned src/test/dynalite/install.sh "$root/src/test/dynalite" "$work" node_modules
# Fails the build here, not in a test, if the addon does not load on this platform.
(cd "$work" && node -e "require('dynalite')")
