#!/usr/bin/env node
// Lints a Dockerfile with dockerfile-utils (the linter behind the Docker language server) and fails
// on any problem it reports, warnings included: the image is meant to stay boringly standard.
//   node .ci/lint-dockerfile.js [Dockerfile]
'use strict';
const fs = require('node:fs');
const { validate, ValidationSeverity } = require('dockerfile-utils');

const file = process.argv[2] || 'Dockerfile';
const text = fs.readFileSync(file, 'utf8');
// Every rule the linter can configure, raised to an error.
const error = ValidationSeverity.ERROR;
const settings = {
  deprecatedMaintainer: error,
  directiveCasing: error,
  emptyContinuationLine: error,
  instructionCasing: error,
  instructionCmdMultiple: error,
  instructionEntrypointMultiple: error,
  instructionHealthcheckMultiple: error,
  instructionJSONInSingleQuotes: error,
  instructionWorkdirRelative: error,
};
const problems = validate(text, settings);
for (const p of problems) {
  process.stderr.write(`${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}\n`);
}
if (problems.length > 0) {
  process.stderr.write(`${file}: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stdout.write(`${file}: no problems\n`);
