import { sql } from 'kysely';
import type { Comment } from '../../db/schema';
import type { Executor } from '../db';
import type { Keyset } from '../keyset';
import type { Queue } from './moderation.schema';

/** Approved, with at least `threshold` flags nobody has cleared: matches the partial index. */
const flagged = (threshold: number) =>
  sql<boolean>`status = 'approved' and flag_count > flags_cleared and flag_count - flags_cleared >= ${threshold}`;

export async function queueCounts(db: Executor, siteId: string, threshold: number): Promise<Record<Queue, number>> {
  const rows = await db
    .selectFrom('comments')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('site_id', '=', siteId)
    .where('status', 'in', ['pending', 'spam', 'rejected'])
    .groupBy('status')
    .execute();
  const flaggedRow = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('site_id', '=', siteId)
    .where(flagged(threshold))
    .executeTakeFirstOrThrow();
  const counts: Record<Queue, number> = { pending: 0, flagged: Number(flaggedRow.n), spam: 0, rejected: 0 };
  for (const r of rows) counts[r.status as Queue] = Number(r.n);
  return counts;
}

/** A page of a queue, newest first, by keyset on `(created_at, id)`. */
export async function listQueue(
  db: Executor,
  options: { siteId: string; queue: Queue; threshold: number; threadId?: string; limit: number; after?: Keyset; afterRisk?: RiskKeyset; byRisk?: boolean },
): Promise<Comment[]> {
  let q = db.selectFrom('comments').selectAll().where('site_id', '=', options.siteId);
  q = options.queue === 'flagged' ? q.where(flagged(options.threshold)) : q.where('status', '=', options.queue);
  if (options.threadId) q = q.where('thread_id', '=', options.threadId);
  if (options.byRisk) {
    // Unassessed comments (null) come last, as risk −1.
    if (options.afterRisk) q = q.where(sql<boolean>`(coalesce(risk, -1), id) < (${options.afterRisk.risk}::real, ${options.afterRisk.id})`);
    return q.orderBy(sql`coalesce(risk, -1)`, 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  }
  if (options.after) q = q.where(sql<boolean>`(created_at, id) < (${options.after.createdAt}::timestamptz, ${options.after.id})`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/** A page boundary of a queue sorted by risk. */
export interface RiskKeyset {
  risk: number;
  id: string;
}

export async function threadsByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('threads').selectAll().where('id', 'in', ids).execute();
}

export async function commentsByIds(db: Executor, ids: string[]): Promise<Comment[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('comments').selectAll().where('id', 'in', ids).execute();
}

export async function commentersByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('commenters').select(['id', 'name', 'email', 'website', 'created_at', 'erased_at']).where('id', 'in', ids).execute();
}

export async function membersByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('members').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
}

/** How each commenter's comments on the site fared, by status. */
export async function histories(db: Executor, siteId: string, commenterIds: string[]) {
  if (commenterIds.length === 0) return [];
  return db
    .selectFrom('comments')
    .select(['commenter_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('site_id', '=', siteId)
    .where('commenter_id', 'in', commenterIds)
    .groupBy(['commenter_id', 'status'])
    .execute();
}

/** Flags of each comment: a count per reason, and the latest few with their notes (never who). */
export async function flagsOf(db: Executor, commentIds: string[], latest: number) {
  if (commentIds.length === 0) return { reasons: [], recent: [] };
  const reasons = await db
    .selectFrom('flags')
    .select(['comment_id', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('comment_id', 'in', commentIds)
    .groupBy(['comment_id', 'reason'])
    .execute();
  const recent = await sql<{ comment_id: string; reason: string; note: string | null; created_at: Date }>`
    select f.comment_id, f.reason, f.note, f.created_at from unnest(${sql.val(commentIds)}::text[]) as c(id)
    cross join lateral (
      select comment_id, reason, note, created_at from flags where comment_id = c.id order by created_at desc limit ${latest}
    ) f`.execute(db);
  return { reasons, recent: recent.rows };
}
