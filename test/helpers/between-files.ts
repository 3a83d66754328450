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
