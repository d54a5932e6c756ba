#!/usr/bin/env bash
# Lints the CloudFormation templates in deploy/cloudformation with the pinned npm cfn-lint (see
# deploy/lint/package.json and docs/DEPLOY.md, "Validation"). Run by `./mvnw verify`; runs alone too.
#
# The linter is installed with `npm ci` from the committed lock file into target/cfn-lint, so a fresh
# clone needs only node and npm, and nothing outside the work tree changes. A second run reuses it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/cfn-lint"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # Debian's nodejs package brings both; only attempted where we may install (CI and developers are root).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "deploy/lint.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi

mkdir -p "$work"
# Reinstall only when the pinned set changed.
if ! cmp -s "$root/deploy/lint/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$root/deploy/lint/package.json" "$root/deploy/lint/package-lock.json" "$work/"
  # --ignore-scripts: nothing in the set needs an install script, and none should run at build time.
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$root/deploy/lint/validate.js" "$work/"

# A parameter without a Default is mocked by its type; an ARN-typed property needs something shaped like one.
cert=arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000
node "$work/validate.js" --param CertificateArn=$cert "$root"/deploy/cloudformation/coscale.yaml
echo "coscale.yaml with alarm actions, accepting old tokens"
node "$work/validate.js" --param CertificateArn=$cert --param AlarmTopicArn=arn:aws:sns:eu-west-1:123456789012:alerts \
  --param AcceptOldTokens=true \
  "$root"/deploy/cloudformation/coscale.yaml

# worker-pool.yaml once per launch type, and once per branch its conditions take within a launch type: the
# linter resolves each !If for the given values and checks only the branch taken.
pool="$root"/deploy/cloudformation/worker-pool.yaml
while read -r params; do
  echo "worker-pool.yaml with $params"
  args=()
  for p in $params; do args+=(--param "$p"); done
  node "$work/validate.js" "${args[@]}" "$pool"
done <<'CASES'
LaunchType=FARGATE
LaunchType=FARGATE ClusterName=workers AlarmTopicArn=arn:aws:sns:eu-west-1:123456789012:alerts
LaunchType=FARGATE_SPOT
LaunchType=FARGATE_SPOT FargateBaseTasks=2
LaunchType=EC2
LaunchType=EC2 GpuCount=0 Ec2AmiVariant=standard Ec2InstanceType=c7i.large
CASES
