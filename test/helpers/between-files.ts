import vm from 'node:vm';

/**
 * A worker's resident size runs far ahead of its JavaScript heap: the embedded database's
 * WebAssembly heap (a few hundred megabytes, lent from file to file: test/helpers/db.ts), the second
 * databases some files open, and what each file's modules leave behind. Jest's
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
 * Jest's test runner (jest-circus) keeps a file's state on the global object under a symbol made
 * afresh for each file (`Symbol('JEST_STATE_SYMBOL')`, not a registered one). With a context per file
 * the state went with its context. In the worker's one context (jest.config.js) every finished file's
 * state stayed on the global object, and with it the closures of its hooks and tests, and through
 * them every module the file had loaded. With the metrics' collectors (server/http/metrics.ts), which
 * did the same through each file's Parley, that was about 30 MB of heap a file: nine files of
 * test/comments in one process left 314 MB in use, 147 MB without both. A file's state is the
 * newest; the older ones go.
 */
const states = Object.getOwnPropertySymbols(globalThis).filter((key) => key.description === 'JEST_STATE_SYMBOL');
for (const stale of states.slice(0, -1)) delete (globalThis as Record<symbol, unknown>)[stale];
