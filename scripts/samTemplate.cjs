// Reads CloudFormation/SAM YAML templates for the build, the local invoke and the tests, so that all three see the
// same template the same way. Short-form intrinsics become their long form: !Ref x -> { Ref: x }, !Sub s -> { 'Fn::Sub': s }.
const { readFileSync } = require('node:fs');
const { parseDocument } = require('yaml');

const INTRINSICS = [
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'And',
  'Ref',
  'Select',
  'Split',
  'Sub',
  'Transform',
];

const customTags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const resolve = (value) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
  return [
    { tag: `!${name}`, resolve: (text) => resolve(text) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => resolve(seq.toJSON()) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => resolve(map.toJSON()) },
  ];
});

/** Parses a template file into plain data; throws on YAML errors. */
function readTemplate(path) {
  const document = parseDocument(readFileSync(path, 'utf8'), { customTags });
  if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0].message}`);
  return document.toJS();
}

/**
 * The esbuild-built functions of a template: logical id, Handler, Timeout, Metadata.BuildProperties and the
 * environment variables that have a plain value (those set with an intrinsic are known only once deployed).
 */
function samFunctions(template) {
  return Object.entries(template.Resources)
    .filter(
      ([, resource]) => resource.Type === 'AWS::Serverless::Function' && resource.Metadata?.BuildMethod === 'esbuild',
    )
    .map(([logicalId, resource]) => ({
      logicalId,
      handler: resource.Properties.Handler,
      timeoutSeconds: resource.Properties.Timeout ?? 3,
      buildProperties: resource.Metadata.BuildProperties ?? {},
      environment: Object.fromEntries(
        Object.entries(resource.Properties.Environment?.Variables ?? {}).filter(
          ([, value]) => typeof value === 'string',
        ),
      ),
    }));
}

module.exports = { readTemplate, samFunctions };
