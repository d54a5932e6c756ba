#!/usr/bin/env bash
# Runs the unit tests of coscale-run and of the Python example worker (standard library only; boto3 is not needed).
# Run by `./mvnw verify`; runs alone too.
set -euo pipefail
deploy="$(cd "$(dirname "$0")" && pwd)"
if ! command -v python3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq python3 >/dev/null
  else
    echo "deploy/test-python-worker.sh: python3 is needed" >&2
    exit 1
  fi
fi
# -B: no __pycache__ in the work tree.
for dir in coscale-run examples/worker-python; do
  (cd "$deploy/$dir" && python3 -B -m unittest -v 2>&1)
done
