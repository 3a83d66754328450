import fs from 'node:fs';
import { closeKeptForWorker } from './worker';

/**
 * The run's temporary folder (global-setup.ts) goes with the run: its database snapshot (42 MB),
 * and what its browsers and tests left there.
 */
export default async function globalTeardown(): Promise<void> {
  // Run in Jest's own process (`--runInBand`), the files borrowed a PGlite and a Chromium kept here: they go too.
  await closeKeptForWorker();
  const runDir = process.env.PARLEY_TEST_RUN_DIR;
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
}
