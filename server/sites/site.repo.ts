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
