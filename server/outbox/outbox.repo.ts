import { sql } from 'kysely';
import type { OutboxRow } from '../../db/schema';
import type { Db, Executor, Tx } from '../db';
import { newId } from '../ids';

/** A notification to deliver later (see outbox.ts for what each field does). */
export interface OutboxMessage {
  kind: string;
  payload: unknown;
  lane?: string | null;
  dedupeKey?: string | null;
  siteId?: string | null;
  commenterId?: string | null;
  /** Not before this time (a batching window); default: at once. */
  notBefore?: Date;
}

/**
 * Writes rows inside the caller's transaction. A message whose `dedupeKey` already has a row not yet
 * tried is dropped (that row will carry it), so the answer lists only the rows written.
 */
export async function insertMessages(trx: Tx, now: Date, messages: OutboxMessage[]): Promise<Array<{ id: number; uid: string }>> {
  if (messages.length === 0) return [];
  const rows = messages.map((m) => ({
    uid: newId(),
    kind: m.kind,
    lane: m.lane ?? null,
    dedupe_key: m.dedupeKey ?? null,
    site_id: m.siteId ?? null,
    commenter_id: m.commenterId ?? null,
    payload: JSON.stringify(m.payload ?? null),
    next_attempt_at: m.notBefore ?? now,
    created_at: now,
  }));
  const deduped = messages.some((m) => m.dedupeKey);
  let query = trx.insertInto('outbox').values(rows);
  if (deduped) {
    query = query.onConflict((oc) =>
      oc
        .column('dedupe_key')
        .where('dedupe_key', 'is not', null)
        .where('attempts', '=', 0)
        .where('done_at', 'is', null)
        .where('failed_at', 'is', null)
        .doNothing(),
    );
  }
  return query.returning(['id', 'uid']).execute();
}

/**
 * Claims up to `limit` due rows for `worker` until `lockedUntil`, in one statement (its own short
 * transaction): rows another worker is claiming are skipped, not waited for. A row of a lane is due
 * only when no earlier row of that lane is still to deliver, so a lane goes one row at a time.
 */
export async function claimDue(db: Db, worker: string, now: Date, lockedUntil: Date, limit: number): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`
    with due as (
      select o.id from outbox o
      where o.done_at is null and o.failed_at is null
        and o.next_attempt_at <= ${now}
        and (o.locked_until is null or o.locked_until <= ${now})
        and (o.lane is null or not exists (
          select 1 from outbox earlier
          where earlier.lane = o.lane and earlier.id < o.id and earlier.done_at is null and earlier.failed_at is null))
      order by o.next_attempt_at, o.id
      limit ${limit}
      for update of o skip locked
    )
    update outbox set locked_until = ${lockedUntil}, locked_by = ${worker}, attempts = outbox.attempts + 1
    from due where outbox.id = due.id
    returning outbox.*`.execute(db);
  return result.rows.sort((a, b) => a.id - b.id);
}

export async function markDone(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('outbox').set({ done_at: now, locked_until: null, last_error: null }).where('id', '=', id).execute();
}

/** A failed attempt: tried again at `retryAt`, or given up (`failed_at`) when `retryAt` is null. */
export async function markFailed(db: Db, id: number, now: Date, error: string, retryAt: Date | null): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ locked_until: null, last_error: error.slice(0, 500), next_attempt_at: retryAt ?? now, failed_at: retryAt ? null : now })
    .where('id', '=', id)
    .execute();
}

/**
 * A recurring row's next run (a moderator's digest): it stays one row, due again at `at`, under a
 * new `uid` (the next run is another message) and with its attempts counted afresh.
 */
export async function reschedule(db: Db, id: number, at: Date, payload?: unknown): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      locked_until: null,
      last_error: null,
      next_attempt_at: at,
      attempts: 0,
      uid: newId(),
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    })
    .where('id', '=', id)
    .execute();
}

/** A row handed back unsent (no handler here, or the worker stopping): due again at `at`, this try not counted. */
export async function release(db: Db, id: number, at: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ locked_until: null, next_attempt_at: at, attempts: sql`greatest(attempts - 1, 0)` })
    .where('id', '=', id)
    .execute();
}

export async function rowsOfCommenter(db: Executor, commenterId: string, siteId?: string): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll().where('commenter_id', '=', commenterId);
  if (siteId) query = query.where('site_id', '=', siteId);
  return query.orderBy('id').execute();
}

export async function deleteOfCommenter(trx: Tx, commenterId: string, siteId?: string): Promise<number> {
  let query = trx.deleteFrom('outbox').where('commenter_id', '=', commenterId);
  if (siteId) query = query.where('site_id', '=', siteId);
  const rows = await query.returning('id').execute();
  return rows.length;
}

/** Finished rows (delivered or given up) created before `before`, on this site. */
export async function pruneFinished(db: Executor, siteId: string, before: Date): Promise<number> {
  const rows = await db
    .deleteFrom('outbox')
    .where('site_id', '=', siteId)
    .where('created_at', '<', before)
    .where((eb) => eb.or([eb('done_at', 'is not', null), eb('failed_at', 'is not', null)]))
    .returning('id')
    .execute();
  return rows.length;
}
