import { sql } from 'kysely';
import type { Executor } from '../db';
import { type ThreadChange, type ThreadEventName } from '../threads/thread.events';

export interface ReplayHead {
  siteId: string;
  /** The thread's last committed seq: every event up to it has committed (nextSeq's row lock). */
  seq: number;
  /** The oldest seq still in the log (null when the thread has no events). */
  firstSeq: number | null;
}

/** The thread's current seq and the start of its replay log, in one round trip. */
export async function replayHead(db: Executor, threadId: string): Promise<ReplayHead | undefined> {
  const row = await db
    .selectFrom('threads as t')
    .select([
      't.site_id',
      't.seq',
      sql<number | null>`(select min(e.seq) from thread_events e where e.thread_id = t.id)`.as('first_seq'),
    ])
    .where('t.id', '=', threadId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { siteId: row.site_id, seq: row.seq, firstSeq: row.first_seq === null ? null : Number(row.first_seq) };
}

const NAMES: ReadonlySet<string> = new Set<ThreadEventName>(['comment:created', 'comment:updated', 'comment:removed', 'thread:updated']);

/**
 * A replay row as the change it records. Every row was written by `threadEventRow` from a typed
 * change (threads/thread.events.ts), so its payload has that event's shape: this is the one place
 * that reads it back, and a row of any other event name is a bug that stops the replay.
 */
function changeOf(siteId: string, threadId: string, row: { seq: number; event: string; payload: unknown; audience: string | null }): ThreadChange {
  if (!NAMES.has(row.event)) throw new Error(`thread ${threadId}: unknown event ${row.event} at seq ${row.seq} in the replay log`);
  return { siteId, threadId, seq: row.seq, audience: row.audience, event: row.event, payload: row.payload } as ThreadChange;
}

/**
 * The events in (since, upTo], in seq order: every audience when `commenterId` is undefined (an
 * instance catching its sockets up), else the public ones and this commenter's own (null: only the
 * public ones). Walks the (thread_id, seq) primary key.
 */
export async function eventsBetween(
  db: Executor,
  q: { siteId: string; threadId: string; since: number; upTo: number; commenterId?: string | null; limit: number },
): Promise<ThreadChange[]> {
  const { commenterId } = q;
  const rows = await db
    .selectFrom('thread_events')
    .select(['seq', 'event', 'payload', 'audience'])
    .where('thread_id', '=', q.threadId)
    .where('seq', '>', q.since)
    .where('seq', '<=', q.upTo)
    .$if(commenterId !== undefined, (qb) =>
      qb.where((eb) => (commenterId ? eb.or([eb('audience', 'is', null), eb('audience', '=', commenterId)]) : eb('audience', 'is', null))),
    )
    .orderBy('seq')
    .limit(q.limit)
    .execute();
  return rows.map((r) => changeOf(q.siteId, q.threadId, r));
}

/** The current seq of each thread (those that still exist). */
export async function threadSeqs(db: Executor, threadIds: string[]): Promise<Array<{ id: string; site_id: string; seq: number }>> {
  if (threadIds.length === 0) return [];
  return db.selectFrom('threads').select(['id', 'site_id', 'seq']).where('id', 'in', threadIds).execute();
}
