/**
 * Node's own copy of a package, loaded once per worker process and shared by every test file the
 * worker runs (jest.config.js, SHARED_PACKAGES). Node's `require` comes from the test environment
 * (environment.js): the packages it loads live outside Jest's per-file module registry. Outside Jest
 * (a child process given this stub's path by require.resolve), this file's own `require` is Node's.
 */
const nodeRequire = globalThis[Symbol.for('parley.test.nodeRequire')] ?? require;

module.exports = (name) => nodeRequire(name);
