import vm from 'node:vm';

/**
 * What a Jest worker keeps from one test file to the next: its embedded database (db.ts) and its
 * Chromium (browser.ts). The files of a worker run in the worker's one context (jest.config.js), so
 * the worker's own global object outlives each file's modules.
 */
export const workerSlots = <T>() => vm.runInThisContext('globalThis') as Record<symbol, T | undefined>;

/** Whether this file runs in the worker's own context, where a slot outlives the file. */
export const sharesWorkerContext = () => (globalThis as unknown) === vm.runInThisContext('globalThis');

type Endings = Map<symbol, () => Promise<unknown>>;
const ENDINGS = Symbol.for('parley.test.workerEndings');
const WORKER_EXIT = Symbol.for('parley.test.workerExit');

/**
 * Closes what a worker kept (`close`, the last one given under `key`) when Jest tells the worker to
 * end (jest-worker's message `[2, …]`, CHILD_MESSAGE_END), then ends the process. Jest gives a
 * worker half a second to exit after that, then kills it and warns that it "failed to exit
 * gracefully". Closing a PGlite and a Chromium took 330–460 ms here, and the worker's event loop was
 * left to empty after: the warning came at the end of most runs. Whatever has not closed after
 * 250 ms goes with the process: Playwright's exit hook kills its Chromium and removes the browser's
 * profile, and an in-memory PGlite holds nothing to save. A run in Jest's own process
 * (`--runInBand`) gets no such message: its global teardown calls `closeKeptForWorker`.
 */
export function closeWhenWorkerEnds(key: symbol, close: () => Promise<unknown>): void {
  const slots = workerSlots<Endings>();
  let endings = slots[ENDINGS];
  if (!endings) {
    endings = slots[ENDINGS] = new Map();
    if (process.send) {
      const onMessage = (message: unknown) => {
        if (!Array.isArray(message) || message[0] !== 2) return;
        process.off('message', onMessage);
        const closing = closeKeptForWorker();
        const deadline = new Promise((resolve) => setTimeout(resolve, 250));
        // The worker's own exit (environment.js), not Jest's wrapper of it for the file that ran last.
        const exit = workerSlots<typeof process.exit>()[WORKER_EXIT] ?? process.exit;
        void Promise.race([closing, deadline]).then(() => exit.call(process, 0));
      };
      process.on('message', onMessage);
    }
  }
  endings.set(key, close);
}

/** Closes everything this process kept for its files (`closeWhenWorkerEnds`). */
export async function closeKeptForWorker(): Promise<void> {
  const slots = workerSlots<Endings>();
  const endings = slots[ENDINGS];
  slots[ENDINGS] = undefined;
  await Promise.all([...(endings?.values() ?? [])].map((close) => close().catch(() => undefined)));
}
