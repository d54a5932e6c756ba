#!/usr/bin/env bash
# Sourced by the build's npm-backed scripts (deploy/lint.sh, src/main/web/vendor.sh, src/test/dynalite/install.sh):
# one way to get node and npm, and to install a pinned npm set from its committed lock file under target/, so that
# a fresh clone needs only node and npm and nothing outside the work tree changes.

# npm_pinned SCRIPT SOURCE WORK MARKER: makes sure node and npm exist (installing Debian's nodejs and npm where we may:
# as root with apt-get, as on CI), then installs SOURCE/package.json and SOURCE/package-lock.json into WORK with
# `npm ci`, again only when the lock file changed or WORK/MARKER is missing. SCRIPT names the caller in errors.
npm_pinned() {
  local script=$1 source=$2 work=$3 marker=$4
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "$script: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
      exit 1
    fi
  fi
  mkdir -p "$work"
  if ! cmp -s "$source/package-lock.json" "$work/package-lock.json" || [ ! -e "$work/$marker" ]; then
    cp "$source/package.json" "$source/package-lock.json" "$work/"
    # --ignore-scripts: no install script should run at build time (each caller says why its set needs none).
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}
