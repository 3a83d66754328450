import { sql } from 'kysely';
import type { Executor } from '../db';

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

export interface LoggedEvent {
  seq: number;
  event: string;
  payload: Record<string, unknown>;
  audience: string | null;
}

/**
 * The events in (since, upTo] that a reader may see: public ones, and their own private ones when
 * they have an identity. Walks the (thread_id, seq) primary key.
 */
export async function eventsBetween(
  db: Executor,
  q: { threadId: string; since: number; upTo: number; commenterId: string | null; limit: number },
): Promise<LoggedEvent[]> {
  return db
    .selectFrom('thread_events')
    .select(['seq', 'event', 'payload', 'audience'])
    .where('thread_id', '=', q.threadId)
    .where('seq', '>', q.since)
    .where('seq', '<=', q.upTo)
    .where((eb) =>
      q.commenterId ? eb.or([eb('audience', 'is', null), eb('audience', '=', q.commenterId)]) : eb('audience', 'is', null),
    )
    .orderBy('seq')
    .limit(q.limit)
    .execute();
}
