import fs from 'node:fs';

/** The run's database snapshot (global-setup.ts) goes with the run: 42 MB a run otherwise stay behind in the temporary folder. */
export default async function globalTeardown(): Promise<void> {
  const file = process.env.PARLEY_TEST_SNAPSHOT;
  if (file) fs.rmSync(file, { force: true });
}
