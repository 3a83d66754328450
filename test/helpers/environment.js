/**
 * The test environment: every file of a worker runs in the worker's own context
 * (jest-environment-node-single-context, see jest.config.js), and the worker's Node `require` is
 * handed to the files under a registered symbol, for the packages they share (shared-packages.js).
 * Jest's own `require('node:module')` inside a file is Jest's registry again, not Node's.
 *
 * It also keeps the worker's own `process.exit`, as it was before any file ran: Jest wraps it for
 * each file (to report a file that exits), and in one context the wrappers pile up, each printing
 * "process.exit called" when the worker ends itself (worker.ts).
 */
const SingleContextEnvironment = require('jest-environment-node-single-context');

class ParleyTestEnvironment extends SingleContextEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global[Symbol.for('parley.test.nodeRequire')] = require;
    this.global[Symbol.for('parley.test.workerExit')] ??= process.exit;
  }
}

module.exports = ParleyTestEnvironment;
