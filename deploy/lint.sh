#!/usr/bin/env bash
# Lints the CloudFormation templates in deploy/cloudformation with the pinned npm cfn-lint (see
# deploy/lint/package.json and docs/DEPLOY.md, "Validation"). Run by `./mvnw verify`; runs alone too.
#
# The linter is installed with `npm ci` from the committed lock file into target/cfn-lint, so a fresh
# clone needs only node and npm, and nothing outside the work tree changes. A second run reuses it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/cfn-lint"

# shellcheck source=../build/npm-pinned.sh
. "$root/build/npm-pinned.sh"
# Nothing in the set needs an install script.
npm_pinned deploy/lint.sh "$root/deploy/lint" "$work" node_modules
cp "$root/deploy/lint/validate.js" "$work/"

# A parameter without a Default is mocked by its type; an ARN-typed property needs something shaped like one.
cert=arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000
node "$work/validate.js" --param CertificateArn=$cert "$root"/deploy/cloudformation/coscale.yaml
echo "coscale.yaml with alarm actions"
node "$work/validate.js" --param CertificateArn=$cert --param AlarmTopicArn=arn:aws:sns:eu-west-1:123456789012:alerts \
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
LaunchType=FARGATE Fifo=true
LaunchType=FARGATE Fifo=true ContentBasedDeduplication=true
LaunchType=FARGATE_SPOT
LaunchType=FARGATE_SPOT FargateBaseTasks=2
LaunchType=EC2
LaunchType=EC2 GpuCount=0 Ec2AmiVariant=standard Ec2InstanceType=c7i.large
CASES
