import fs from 'node:fs';
import { closeWorkerPglite } from './db';

/** The run's database snapshot (global-setup.ts) goes with the run: 42 MB a run otherwise stay behind in the temporary folder. */
export default async function globalTeardown(): Promise<void> {
  // Run in Jest's own process (`--runInBand`), the files borrowed a PGlite kept here: it goes too.
  await closeWorkerPglite();
  const file = process.env.PARLEY_TEST_SNAPSHOT;
  if (file) fs.rmSync(file, { force: true });
}
