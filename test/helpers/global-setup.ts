import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest, openPglite } from '../../server/db';
import { needsPackagedChromium, packagedChromium } from './chromium';

/**
 * On the embedded database, migrate once and snapshot the data directory: every test file then
 * starts from the snapshot in well under a second instead of running initdb and migrations again.
 */
export default async function globalSetup(): Promise<void> {
  // The run's temporary files, in a folder of its own that the global teardown removes whole: the
  // workers inherit it. Chromium's profiles and Playwright's artifact folders, which a worker killed
  // or ended mid-close leaves behind, go with it, and so does the snapshot.
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-run-'));
  process.env.PARLEY_TEST_RUN_DIR = runDir;
  process.env.TMPDIR = runDir;
  // Unpacked here, once, before any worker could race another to it.
  if (needsPackagedChromium()) await packagedChromium();
  if (process.env.DATABASE_URL) return;
  const file = path.join(runDir, 'snapshot.tar');
  const handle = await openPglite();
  await migrateToLatest(handle.db);
  // Written out to the data files first: a file's start from the snapshot then replays no log.
  await sql`checkpoint`.execute(handle.db);
  const dump = await handle.dump!();
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  process.env.PARLEY_TEST_SNAPSHOT = file;
}
