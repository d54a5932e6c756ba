#!/usr/bin/env bash
# Runs the Python worker's unit tests (standard library only; boto3 is not needed for them).
# Run by `./mvnw verify`; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/examples/worker-python"
if ! command -v python3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq python3 >/dev/null
  else
    echo "deploy/test-python-worker.sh: python3 is needed" >&2
    exit 1
  fi
fi
# -B: no __pycache__ in the work tree.
exec python3 -B -m unittest -v 2>&1
