'use strict';
// Runs the npm cfn-lint (martysweet/cfn-lint) over CloudFormation templates, with one change: the
// resource specification it checks against. cfn-lint 1.9.7 bundles specification 2.29.0 (early 2019),
// which lacks properties these templates need (StopTimeout, DeploymentCircuitBreaker, ...). The CDK's
// @aws-cdk/cfnspec ships a far newer copy of the same specification format, so it is put in the
// module cache under the path cfn-lint loads its own copy from, before cfn-lint is first required.
//
// Usage: node validate.js [--param NAME=VALUE]... TEMPLATE...
// Exit status 1 when any template has a critical finding. A --param applies to every template that has it.
const path = require('path');
const Module = require('module');

const specFile = path.join(path.dirname(require.resolve('@aws-cdk/cfnspec/package.json')), 'spec', 'specification.json');
const spec = require(specFile);
const bundled = require.resolve('cfn-lint/data/aws_resources_specification.json');
const replacement = new Module(bundled);
replacement.filename = bundled;
replacement.loaded = true;
replacement.exports = spec;
require.cache[bundled] = replacement;

const cfnLint = require('cfn-lint');
const parameters = {};
const templates = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--param') {
    const [name, ...value] = args[++i].split('=');
    parameters[name] = value.join('=');
  } else {
    templates.push(args[i]);
  }
}
if (templates.length === 0) {
  console.error('usage: node validate.js [--param NAME=VALUE]... TEMPLATE...');
  process.exit(2);
}
console.log(`cfn-lint ${require('cfn-lint/package.json').version}, CloudFormation resource specification ${spec.ResourceSpecificationVersion}`);

let failed = 0;
for (const template of templates) {
  // Parameters without a Default are given type-correct mock values (cfn-lint's guessing), so every
  // Ref, Sub and GetAtt is resolved and each resource's properties are checked against the spec.
  const result = cfnLint.validateFile(template, { parameters });
  const crit = result.errors.crit || [];
  const warn = result.errors.warn || [];
  for (const e of crit) console.log(`  CRIT ${template}: ${e.resource}: ${e.message}`);
  for (const e of warn) console.log(`  WARN ${template}: ${e.resource}: ${e.message}`);
  console.log(`${result.templateValid ? 'valid  ' : 'INVALID'} ${template} (${crit.length} critical, ${warn.length} warnings)`);
  if (!result.templateValid) failed++;
}
process.exit(failed === 0 ? 0 : 1);
