/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Fault injection has its own run: npm run test:faults.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  // Transpile only (tsconfig has isolatedModules); `npm run typecheck` does the type-checking once.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // PGlite's ESM build, loaded through Jest's vm modules, is never released: each test file's WASM
  // heap stayed resident (workers reached 7-10 GB). Its CommonJS build is collected with the file.
  moduleNameMapper: { '^@electric-sql/pglite$': '<rootDir>/node_modules/@electric-sql/pglite/dist/index.cjs' },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  // Generous: starting a PGlite per file takes seconds on a busy two-core machine.
  testTimeout: 60_000,
  maxWorkers: 2,
  // PGlite holds a WASM heap per worker; recycle a worker that grows past this.
  workerIdleMemoryLimit: '1500MB',
};
