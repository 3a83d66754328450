import { sql } from 'kysely';
import type { Executor } from '../db';
import type { Site } from '../../db/schema';

export async function findSite(db: Executor, id: string): Promise<Site | undefined> {
  return db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSites(db: Executor): Promise<Site[]> {
  return db.selectFrom('sites').selectAll().orderBy('id').execute();
}

export async function insertSite(
  db: Executor,
  site: { id: string; name: string; origins: string[]; settings: Record<string, unknown> },
): Promise<Site> {
  return db
    .insertInto('sites')
    .values({
      id: site.id,
      name: site.name,
      origins: JSON.stringify(site.origins),
      settings: JSON.stringify(site.settings),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function allOrigins(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('sites').select('origins').execute();
  return rows.flatMap((r) => r.origins as unknown as string[]);
}

/** Counts one more change of the site's moderation queues (in the change's transaction); the new value. */
export async function bumpQueueVersion(db: Executor, siteId: string): Promise<number> {
  const row = await db
    .updateTable('sites')
    .set({ queue_version: sql`queue_version + 1` })
    .where('id', '=', siteId)
    .returning('queue_version')
    .executeTakeFirst();
  return Number(row?.queue_version ?? 0);
}

export async function queueVersion(db: Executor, siteId: string): Promise<number> {
  const row = await db.selectFrom('sites').select('queue_version').where('id', '=', siteId).executeTakeFirst();
  return Number(row?.queue_version ?? 0);
}
