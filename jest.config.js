/** @type {import('jest').Config} */
module.exports = {
  // Every file of a worker runs in the worker's own context rather than a fresh one each: the
  // worker's one embedded database is lent from file to file (test/helpers/db.ts), and what it hands
  // back (dates, buffers) must be of the borrowing file's realm. Each file still has modules of its own.
  testEnvironment: 'jest-environment-node-single-context',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Fault injection has its own run: npm run test:faults.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  // Transpile only (tsconfig has isolatedModules); `npm run typecheck` does the type-checking once.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // PGlite's CommonJS build, not its ESM one through Jest's VM modules: workers grew more slowly
  // (4.9 GB after 14 minutes of a full run against 5.7 GB).
  moduleNameMapper: { '^@electric-sql/pglite$': '<rootDir>/node_modules/@electric-sql/pglite/dist/index.cjs' },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/helpers/between-files.ts'],
  // Generous: starting a PGlite per file takes seconds on a busy two-core machine.
  testTimeout: 60_000,
  maxWorkers: 2,
  // PGlite holds a WASM heap per worker; recycle a worker that grows past this.
  workerIdleMemoryLimit: '1500MB',
};
