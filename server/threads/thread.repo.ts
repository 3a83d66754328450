import type { Thread } from '../../db/schema';
import type { Executor, Tx } from '../db';
import { newId } from '../ids';

export async function findThread(db: Executor, id: string): Promise<Thread | undefined> {
  return db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findThreadByKey(db: Executor, siteId: string, key: string): Promise<Thread | undefined> {
  return db.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('key', '=', key).executeTakeFirst();
}

/** Creates the thread unless a concurrent request just did; either way returns the one row. */
export async function insertThread(
  db: Executor,
  values: { siteId: string; key: string; url?: string | null; title?: string | null; closesAt?: Date | null },
): Promise<{ thread: Thread; created: boolean }> {
  const inserted = await db
    .insertInto('threads')
    .values({ id: newId(), site_id: values.siteId, key: values.key, url: values.url ?? null, title: values.title ?? null, closes_at: values.closesAt ?? null })
    .onConflict((oc) => oc.columns(['site_id', 'key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { thread: inserted, created: true };
  const existing = await findThreadByKey(db, values.siteId, values.key);
  if (!existing) throw new Error('thread vanished between insert and select');
  return { thread: existing, created: false };
}

/**
 * Takes the next sequence number of a thread. The row lock it takes is held until commit, so events
 * of one thread commit in seq order: a reader replaying `since` can never miss a lower seq that
 * commits later. Every write to a thread takes this lock first (the fixed lock order: thread, then
 * comments).
 */
export async function nextSeq(trx: Tx, threadId: string): Promise<number> {
  const row = await trx
    .updateTable('threads')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', threadId)
    .returning('seq')
    .executeTakeFirstOrThrow();
  return row.seq;
}

/**
 * Marks the thread's cached pages stale for a change that shows on a page without being an event (a
 * like). Taken first in its transaction, like nextSeq, to keep the lock order: thread, then comments.
 */
export async function bumpPageVersion(trx: Tx, threadId: string): Promise<void> {
  await trx
    .updateTable('threads')
    .set((eb) => ({ page_version: eb('page_version', '+', 1) }))
    .where('id', '=', threadId)
    .execute();
}

export async function lockThread(trx: Tx, threadId: string): Promise<Thread | undefined> {
  return trx.selectFrom('threads').selectAll().where('id', '=', threadId).forUpdate().executeTakeFirst();
}

export async function addToCommentCount(trx: Tx, threadId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .updateTable('threads')
    .set((eb) => ({ comment_count: eb('comment_count', '+', delta) }))
    .where('id', '=', threadId)
    .execute();
}

export async function addToFeaturedCount(trx: Tx, threadId: string, delta: number): Promise<void> {
  await trx
    .updateTable('threads')
    .set((eb) => ({ featured_count: eb('featured_count', '+', delta) }))
    .where('id', '=', threadId)
    .execute();
}

/** Writes a replay row (built by threadEventRow: every writer stores the same shape). */
export async function appendEvent(
  trx: Tx,
  row: { thread_id: string; seq: number; event: string; payload: unknown; audience: string | null },
): Promise<void> {
  await trx
    .insertInto('thread_events')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .execute();
}

export async function countsByKeys(db: Executor, siteId: string, keys: string[]) {
  if (keys.length === 0) return [];
  return db
    .selectFrom('threads')
    .select(['key', 'comment_count'])
    .where('site_id', '=', siteId)
    .where('key', 'in', keys)
    .execute();
}
