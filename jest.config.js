/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
  // PGlite holds a WASM heap per worker; recycle a worker that grows past this.
  workerIdleMemoryLimit: '1500MB',
};
