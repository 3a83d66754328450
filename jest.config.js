/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Fault injection has its own run: npm run test:faults.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  // Transpile only (tsconfig has isolatedModules); `npm run typecheck` does the type-checking once.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
  // PGlite holds a WASM heap per worker; recycle a worker that grows past this.
  workerIdleMemoryLimit: '1500MB',
};
