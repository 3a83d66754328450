import type { ThreadPreset } from '../../db/schema';
import type { Executor } from '../db';

/** Presets of thread settings: all their SQL. `thread_presets_name` is unique on (site_id, lower(name)). */
export function listPresets(db: Executor, siteId: string): Promise<ThreadPreset[]> {
  return db.selectFrom('thread_presets').selectAll().where('site_id', '=', siteId).orderBy('name').orderBy('id').execute();
}

export function findPreset(db: Executor, siteId: string, id: string): Promise<ThreadPreset | undefined> {
  return db.selectFrom('thread_presets').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

/** Whether another preset of the site has this name, whatever its case. */
export async function nameTaken(db: Executor, siteId: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('thread_presets').select('id').where('site_id', '=', siteId).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
}

export async function countPresets(db: Executor, siteId: string): Promise<number> {
  const row = await db.selectFrom('thread_presets').select((eb) => eb.fn.countAll<string>().as('n')).where('site_id', '=', siteId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertPreset(db: Executor, values: { id: string; siteId: string; name: string; settings: object; now: Date }): Promise<ThreadPreset> {
  return db
    .insertInto('thread_presets')
    .values({ id: values.id, site_id: values.siteId, name: values.name, settings: JSON.stringify(values.settings), created_at: values.now, updated_at: values.now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updatePreset(db: Executor, id: string, values: { name?: string; settings?: object; now: Date }): Promise<ThreadPreset> {
  return db
    .updateTable('thread_presets')
    .set({
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.settings ? { settings: JSON.stringify(values.settings) } : {}),
      updated_at: values.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deletePreset(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('thread_presets').where('id', '=', id).execute();
}
