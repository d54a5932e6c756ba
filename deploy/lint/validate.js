'use strict';
// Runs the npm cfn-lint (martysweet/cfn-lint) over CloudFormation templates, with corrections. First, the
// resource specification it checks against. cfn-lint 1.9.7 bundles specification 2.29.0 (early 2019),
// which lacks properties these templates need (StopTimeout, DeploymentCircuitBreaker, ...). The CDK's
// @aws-cdk/cfnspec ships a far newer copy of the same specification format, so it is put in the
// module cache under the path cfn-lint loads its own copy from, before cfn-lint is first required.
//
// Two bugs of cfn-lint 1.9.7 are fixed in its validator as it is loaded (IF_FIXES below; the installed copy
// stays as npm put it), both in Fn::If, which worker-pool.yaml uses for everything that depends on LaunchType:
// - a branch that is a list may hold only intrinsic functions: a list of strings or of objects is an error;
// - a branch that is an object is walked without its place in the template being pushed, so every later
//   resource is checked as if it were outside Resources ("Intrinsic function ... is not supported here").
//
// Three more corrections, each for something CloudFormation accepts and this linter cannot know:
// - properties newer than the specification (SPECIFICATION_ADDITIONS below) are added to it;
// - AWS::ECS::CapacityProvider's AutoScalingGroupArn takes the group's name as well as its ARN, and !Ref of a
//   group gives the name; cfn-lint treats every property named *Arn* as an ARN;
// - a template's Rules section (parameter assertions CloudFormation checks before changing anything) is left
//   out: cfn-lint 1.9.7 rejects the intrinsic functions Rules are made of.
//
// Usage: node validate.js [--param NAME=VALUE]... TEMPLATE...
// Exit status 1 when any template has a critical finding or cannot be read. A --param applies to every
// template that has it.
const fs = require('fs');
const path = require('path');
const Module = require('module');

const specFile = path.join(path.dirname(require.resolve('@aws-cdk/cfnspec/package.json')), 'spec', 'specification.json');
const spec = require(specFile);

// Properties CloudFormation has gained since specification 117.0.0, with where they are documented.
const SPECIFICATION_ADDITIONS = {
  'AWS::ECS::Service': {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html#cfn-ecs-service-availabilityzonerebalancing
    AvailabilityZoneRebalancing: { PrimitiveType: 'String', Required: false, UpdateType: 'Mutable' },
  },
};
for (const [type, properties] of Object.entries(SPECIFICATION_ADDITIONS)) {
  Object.assign(spec.ResourceTypes[type].Properties, properties);
}
const bundled = require.resolve('cfn-lint/data/aws_resources_specification.json');
const replacement = new Module(bundled);
replacement.filename = bundled;
replacement.loaded = true;
replacement.exports = spec;
require.cache[bundled] = replacement;

const IF_FIXES = [
  [`                else {
                    addError('crit', "Fn::If does not allow " + keys[0] + " as a nested function within an array", placeInTemplate, 'Fn::If');
                }`,
   `                else if (value[i] instanceof Object) {
                    placeInTemplate.push(i);
                    recursiveDecent(value[i]);
                    resolvedValue.push(value[i]);
                }
                else {
                    resolvedValue.push(value[i]);
                }`],
  [`                recursiveDecent(value);
                return value;`,
   `                placeInTemplate.push('Fn::If');
                recursiveDecent(value);
                return value;`],
];
const validatorFile = require.resolve('cfn-lint/lib/validator');
let validatorSource = fs.readFileSync(validatorFile, 'utf8');
for (const [from, to] of IF_FIXES) {
  if (!validatorSource.includes(from)) {
    throw new Error(`deploy/lint/validate.js: cfn-lint's validator changed; review IF_FIXES (${validatorFile})`);
  }
  validatorSource = validatorSource.replace(from, to);
}
const fixedValidator = new Module(validatorFile, module);
fixedValidator.filename = validatorFile;
fixedValidator.paths = Module._nodeModulePaths(path.dirname(validatorFile));
fixedValidator._compile(validatorSource, validatorFile);
fixedValidator.loaded = true;
require.cache[validatorFile] = fixedValidator;

const cfnLint = require('cfn-lint');
const parser = require('cfn-lint/lib/parser');
const resourcesSpec = require('cfn-lint/lib/resourcesSpec');
const isArnProperty = resourcesSpec.isArnProperty;
resourcesSpec.isArnProperty = (name) => name !== 'AutoScalingGroupArn' && isArnProperty(name);
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
  let result;
  try {
    const parsed = parser.openFile(template);
    delete parsed.Rules;
    result = cfnLint.validateJsonObject(parsed, { parameters });
  } catch (e) {
    console.log(`INVALID ${template}: ${e.message}`);
    failed++;
    continue;
  }
  const crit = result.errors.crit || [];
  const warn = result.errors.warn || [];
  for (const e of crit) console.log(`  CRIT ${template}: ${e.resource}: ${e.message}`);
  for (const e of warn) console.log(`  WARN ${template}: ${e.resource}: ${e.message}`);
  console.log(`${result.templateValid ? 'valid  ' : 'INVALID'} ${template} (${crit.length} critical, ${warn.length} warnings)`);
  if (!result.templateValid) failed++;
}
process.exit(failed === 0 ? 0 : 1);
