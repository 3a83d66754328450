import pg from 'pg';
import { migrateToLatest, openPostgres } from '../../server/db';

/**
 * A fresh, migrated database of its own for a fault test file, named after the one in DATABASE_URL
 * with `suffix`, and a plain connection to it for the test's own checks.
 */
export async function freshDatabase(baseUrl: string, suffix: string): Promise<{ url: string; admin: pg.Client }> {
  const base = new URL(baseUrl);
  const name = `${base.pathname.slice(1) || 'parley'}_${suffix}`.replace(/[^a-z0-9_]/gi, '_');
  const root = new pg.Client({ connectionString: baseUrl });
  await root.connect();
  await root.query(`drop database if exists "${name}" with (force)`);
  await root.query(`create database "${name}"`);
  await root.end();
  base.pathname = `/${name}`;
  const url = base.toString();
  const handle = openPostgres({ connectionString: url });
  await migrateToLatest(handle.db);
  await handle.close();
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => {}); // the server went away: the next query fails, and says so
  await admin.connect();
  return { url, admin };
}
