import vm from 'node:vm';

/**
 * Each test file starts its own embedded database (PGlite): a WebAssembly heap of a few hundred
 * megabytes, outside the JavaScript heap, and a worker keeps about 185 MB of every file it ran (seen
 * with `process.memoryUsage()` between files: a full collection does not release it). Jest's
 * `workerIdleMemoryLimit` would start a fresh worker past its limit, but it reads the JavaScript heap
 * only (`heapUsed`), which stays small. Here a worker reports its resident size as its heap, so Jest
 * replaces a worker once it holds more than the limit (jest.config.js).
 */
const worker = vm.runInThisContext('process') as NodeJS.Process;
const marks = worker as unknown as Record<symbol, boolean | undefined>;
const REPORTING = Symbol.for('parley.test.reportsResidentMemory');
if (!marks[REPORTING]) {
  marks[REPORTING] = true;
  const measure = worker.memoryUsage.bind(worker);
  worker.memoryUsage = Object.assign(
    () => {
      const usage = measure();
      return { ...usage, heapUsed: Math.max(usage.heapUsed, usage.rss) };
    },
    { rss: worker.memoryUsage.rss },
  );
}

/**
 * The widget's and the dashboard's builds (`oncePerProcess` in client/build.ts) are kept on the
 * global object; each test file has a global of its own, so every file built both again (most of
 * a second each). Here a file's slots for them are the worker's: the first file builds, the rest
 * reuse it. Only the finished build is shared (assets: buffers and strings); nothing else is.
 */
const workerGlobal = vm.runInThisContext('globalThis') as Record<symbol, unknown>;
for (const name of ['widget', 'dashboard']) {
  const key = Symbol.for(`parley.build.${name}`);
  Object.defineProperty(globalThis, key, {
    configurable: true,
    get: () => workerGlobal[key],
    set: (value: unknown) => {
      workerGlobal[key] = value;
    },
  });
}
