/** `npm run test:faults`: fault-injection tests (process kills, database restarts); slower, run by CI. */
const base = require('./jest.config.js');
module.exports = { ...base, roots: ['<rootDir>/test/faults'], testPathIgnorePatterns: [], maxWorkers: 1, testTimeout: 300_000 };
