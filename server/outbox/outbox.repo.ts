import { type QueryCreator, sql } from 'kysely';
import type { Database, OutboxRow } from '../../db/schema';
import { type Db, type Executor, PREPARED, type Tx } from '../db';
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
 * Claims due rows for `worker` until `lockedUntil`, in one statement (its own short transaction):
 * rows another worker is claiming are skipped, not waited for. Up to `limit` rows are claimed at the
 * head of their lane, or outside any lane, oldest due first. A row of a lane is due only when no
 * earlier row of that lane is still to deliver, so a lane goes one row at a time; with each lane
 * head claimed come up to `run - 1` rows right behind it in its lane, as long as each is due and
 * free, for the worker to send after the head, in order (`outbox.ts`).
 *
 * A lane's candidate is its first due row, found lane by lane (outbox_lane_due, one step per lane
 * with a due row), and it goes only if nothing earlier in its lane is still to deliver; rows outside
 * lanes come from outbox_free_due. So a claim never reads a lane's backlog behind its first due row
 * (a busy thread's webhooks: thousands of rows while a receiver is slow or down), nor the lanes with
 * nothing due (reply mails waiting out their batching window).
 *
 * The due time is compared as a difference (`dueNow`) where a lane's rows are looked for, so that no
 * plan can reach them through outbox_due: a backlog forms faster than PostgreSQL refreshes the
 * table's statistics, and with statistics that still counted few due rows it chose to read every due
 * row at each step of the walk (31 ms for 20 lanes of 6,000 rows; 1.9 ms through the lane index).
 * For the same reason the statement can be PREPARED: planning it was half its database time, and a
 * plan made without the values (while the queue was quiet) still walks the lanes by their index.
 */
export async function claimDue(db: Db, worker: string, now: Date, lockedUntil: Date, limit: number, run = 1): Promise<OutboxRow[]> {
  const result = await claimStatement(worker, now, lockedUntil, limit, run).execute(db);
  return result.rows.sort((a, b) => a.id - b.id);
}

/** claimDue's statement. */
export function claimStatement(worker: string, now: Date, lockedUntil: Date, limit: number, run: number) {
  const free = sql`(o.locked_until is null or o.locked_until <= ${now})`;
  const dueNow = sql`(o.next_attempt_at - ${now}::timestamptz) <= interval '0'`;
  return sql<OutboxRow>`${PREPARED}
    with recursive firsts as (
      (select o.lane, o.id from outbox o
       where o.lane is not null and o.done_at is null and o.failed_at is null and ${dueNow}
       order by o.lane, o.id limit 1)
      union all
      select n.lane, n.id from firsts f cross join lateral (
        select o.lane, o.id from outbox o
        where o.lane > f.lane and o.done_at is null and o.failed_at is null and ${dueNow}
        order by o.lane, o.id limit 1) n
    ), unlaned as (
      select o.id from outbox o
      where o.lane is null and o.done_at is null and o.failed_at is null and o.next_attempt_at <= ${now} and ${free}
      order by o.next_attempt_at, o.id
      limit ${limit}
    ), due as (
      select o.id, o.lane from outbox o
      where o.id = any (array(select id from firsts union all select id from unlaned))
        and o.done_at is null and o.failed_at is null and ${dueNow} and ${free}
        and (o.lane is null or not exists (
          select 1 from outbox earlier
          where earlier.lane = o.lane and earlier.id < o.id and earlier.done_at is null and earlier.failed_at is null))
      order by o.next_attempt_at, o.id
      limit ${limit}
      for update of o skip locked
    ), behind as (
      select f.id from due d cross join lateral (
        select next.id from (
          select o.id, bool_and(o.next_attempt_at <= ${now} and ${free}) over (order by o.id) as ready
          from (
            select o.id, o.next_attempt_at, o.locked_until from outbox o
            where o.lane = d.lane and o.id > d.id and o.done_at is null and o.failed_at is null
            order by o.id
            limit ${Math.max(0, run - 1)}
          ) o
        ) next
        where next.ready) f
      where d.lane is not null
    )
    update outbox set locked_until = ${lockedUntil}, locked_by = ${worker}, attempts = outbox.attempts + 1
    from (select id from due union all select id from behind) claimed where outbox.id = claimed.id
    returning outbox.*`;
}

export async function markDone(db: Db, id: number, now: Date): Promise<void> {
  await markDoneWith(db, id, now).execute();
}

/**
 * markDone's statement, for a kind's `record` to run as part of its own (a webhook's log rows and
 * the endpoint's health): the rows `ids`.
 */
export function markDoneWith<DB extends Database>(db: QueryCreator<DB>, ids: number | number[], now: Date) {
  // Delivered: the content (an address, a one-time link) is no longer needed, only that it went.
  return (db as unknown as QueryCreator<Database>)
    .updateTable('outbox')
    .set({ done_at: now, locked_until: null, last_error: null, payload: 'null' })
    .where('id', 'in', Array.isArray(ids) ? ids : [ids]);
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

/** Rows claimed behind a lane's head and handed back unsent: free again, as they were, this try not counted. */
export async function releaseAll(db: Db, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('outbox')
    .set({ locked_until: null, attempts: sql`greatest(attempts - 1, 0)` })
    .where('id', 'in', ids)
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
