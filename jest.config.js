const fs = require('node:fs');
const path = require('node:path');

/**
 * Packages a worker loads once and shares between its files, rather than once per file: Jest gives
 * each file a fresh copy of every module it loads, and loading the server's packages (Kysely,
 * Express, zod, Socket.IO, Playwright…) again for each file was a large part of the suite's time and
 * of each worker's growth. They hold no state a file could leak into the next that the files rely on
 * being fresh (the project's own modules stay per file). Each maps to a stub that hands over Node's
 * own copy (test/helpers/shared-packages.js).
 */
const SHARED_PACKAGES = [
  'altcha-lib/v1', '@apidevtools/swagger-parser', 'cli-progress', 'commander', 'cookie', 'cors',
  '@electric-sql/pglite', 'esbuild', 'express', 'helmet', 'jose', 'kysely', 'kysely-pglite-dialect',
  'markdown-it', '@node-rs/argon2', 'nodemailer', 'pg', 'pino', 'playwright-core', 'prom-client',
  'proper-lockfile', 'rate-limiter-flexible', 'redis', 'sanitize-html', 'saxes', 'smtp-server', 'socket.io',
  'socket.io-client', '@socket.io/postgres-adapter', '@socket.io/redis-streams-adapter', 'standardwebhooks',
  'supertest', 'turndown', 'unhomoglyph', 'zod',
];
/** Of those, the ones the code brings in with import() (PGlite, loaded lazily by server/db.ts). */
const IMPORTED = ['@electric-sql/pglite'];
const stubDir = path.join(__dirname, 'node_modules', '.cache', 'parley-shared-packages');
fs.mkdirSync(stubDir, { recursive: true });
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const sharedPackages = Object.fromEntries(
  SHARED_PACKAGES.map((name) => {
    const stub = path.join(stubDir, `${name.replace(/[@/]/g, '_')}.js`);
    const load = `require(${JSON.stringify(path.join(__dirname, 'test/helpers/shared-packages.js'))})(${JSON.stringify(name)})`;
    // A package brought in by import() gets its export names from this text (Jest reads a CommonJS
    // module's names from its source), listed in a statement that never runs.
    const names = IMPORTED.includes(name) ? Object.keys(require(name)).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key)) : [];
    const text = `module.exports = ${load};\n${names.length ? `if (0) module.exports = { ${names.join(', ')} };\n` : ''}`;
    if (!fs.existsSync(stub) || fs.readFileSync(stub, 'utf8') !== text) fs.writeFileSync(stub, text);
    return [`^${escape(name)}$`, stub];
  }),
);

/** @type {import('jest').Config} */
module.exports = {
  // Every file of a worker runs in the worker's own context rather than a fresh one each: the
  // worker's one embedded database is lent from file to file (test/helpers/db.ts), and what it hands
  // back (dates, buffers) must be of the borrowing file's realm. Each file still has its own copy of
  // Parley's modules; the packages above are the worker's (environment.js).
  testEnvironment: '<rootDir>/test/helpers/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Fault injection has its own run: npm run test:faults.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  // Transpile only (tsconfig has isolatedModules); `npm run typecheck` does the type-checking once.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // (PGlite is one of them: its CommonJS build, not its ESM one through Jest's VM modules.)
  moduleNameMapper: sharedPackages,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/helpers/between-files.ts'],
  // Generous: starting a PGlite per file takes seconds on a busy two-core machine.
  testTimeout: 60_000,
  maxWorkers: 2,
  // PGlite holds a WASM heap per worker; recycle a worker that grows past this.
  workerIdleMemoryLimit: '1500MB',
};
