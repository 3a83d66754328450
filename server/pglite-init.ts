import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Postgres settings for the embedded database. Postgres touches all of its shared buffers at start,
 * inside PGlite's WASM heap, so the default 128 MB is resident from the first second; an embedded
 * site's hot pages fit in far less, and the operating system's cache serves the rest.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

/** PGlite's own start parameters (`PGlite.defaultStartParams`) with Parley's settings on top. */
export function pgliteStartParams(defaults: readonly string[]): string[] {
  return [...defaults, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])];
}

/**
 * Creates a new embedded database directory (initdb) in a short-lived child process. Done in
 * Parley's own process, PGlite builds a second PGlite and the initdb program beside the one it
 * keeps: about half a gigabyte more at the peak, handed back only by a full garbage collection
 * that an idle server may not run for hours. The child's memory goes when it exits.
 *
 * The directory is built beside its final place and renamed into it, so a first start killed
 * halfway leaves no half-made database behind. A directory that exists already is left to PGlite.
 */
export async function initPgliteDataDir(dataPath: string, startParams: string[]): Promise<void> {
  if (fs.existsSync(dataPath)) return;
  const staging = `${dataPath}.new`;
  fs.mkdirSync(path.dirname(dataPath), { recursive: true });
  fs.rmSync(staging, { recursive: true, force: true });
  const script =
    'require(process.argv[1]).PGlite.create({ dataDir: process.argv[2], startParams: JSON.parse(process.argv[3]) })' +
    '.then((db) => db.close()).catch((err) => { console.error(err); process.exit(1); })';
  try {
    await promisify(execFile)(process.execPath, ['-e', script, require.resolve('@electric-sql/pglite'), staging, JSON.stringify(startParams)]);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not create the embedded database in ${path.dirname(dataPath)}: ${(err as Error).message}`);
  }
  fs.renameSync(staging, dataPath);
}
