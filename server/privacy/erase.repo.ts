import { sql } from 'kysely';
import type { Comment, Commenter } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** The SQL of erasure. Every function takes the erasure's transaction unless it only reads. */

export interface OwnComment {
  id: string;
  thread_id: string;
  site_id: string;
  parent_id: string | null;
  status: Comment['status'];
  ip_hash: string | null;
}

/** Threads whose rows an erasure will lock: where the commenter wrote or reacted. */
export async function threadsTouchedBy(db: Executor, commenterId: string, siteId?: string): Promise<string[]> {
  const result = await sql<{ thread_id: string }>`
    select thread_id from comments where commenter_id = ${commenterId} ${siteId ? sql`and site_id = ${siteId}` : sql``}
    union
    select c.thread_id from reactions r join comments c on c.id = r.comment_id
    where r.commenter_id = ${commenterId} ${siteId ? sql`and c.site_id = ${siteId}` : sql``}
    order by thread_id`.execute(db);
  return result.rows.map((r) => r.thread_id);
}

export async function lockThreads(trx: Tx, threadIds: string[]): Promise<void> {
  // One at a time in id order: the fixed lock order (threads, then commenter, then comments).
  for (const id of [...threadIds].sort()) {
    await trx.selectFrom('threads').select('id').where('id', '=', id).forUpdate().execute();
  }
}

/** Locks the commenter: from here no new comment, reaction or flag can reference them. */
export async function lockCommenter(trx: Tx, commenterId: string): Promise<Commenter | undefined> {
  return trx.selectFrom('commenters').selectAll().where('id', '=', commenterId).forUpdate().executeTakeFirst();
}

export async function ownComments(db: Executor, commenterId: string, siteId?: string): Promise<OwnComment[]> {
  let q = db
    .selectFrom('comments')
    .select(['id', 'thread_id', 'site_id', 'parent_id', 'status', 'ip_hash'])
    .where('commenter_id', '=', commenterId);
  if (siteId) q = q.where('site_id', '=', siteId);
  return q.orderBy('thread_id').orderBy('created_at').orderBy('id').execute();
}

export async function reactionsOf(db: Executor, commenterId: string, siteId?: string) {
  let q = db
    .selectFrom('reactions as r')
    .innerJoin('comments as c', 'c.id', 'r.comment_id')
    .select(['r.comment_id', 'c.thread_id', 'c.site_id', 'c.status', 'c.commenter_id as author_id'])
    .where('r.commenter_id', '=', commenterId);
  if (siteId) q = q.where('c.site_id', '=', siteId);
  return q.orderBy('c.thread_id').orderBy('r.comment_id').execute();
}

/** Removes one reaction and takes it off the comment's tally in the same statement pair. */
export async function removeReaction(trx: Tx, commentId: string, commenterId: string): Promise<Comment | undefined> {
  const deleted = await trx
    .deleteFrom('reactions')
    .where('comment_id', '=', commentId)
    .where('commenter_id', '=', commenterId)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return undefined;
  return trx
    .updateTable('comments')
    .set((eb) => ({ reaction_count: sql<number>`greatest(${eb.ref('reaction_count')} - 1, 0)` }))
    .where('id', '=', commentId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Flags stay, without the person: a report about a harmful comment remains a report (the tally and
 * the flagged queue are unchanged), but nothing links it to who made it, and their note — their own
 * words — goes.
 */
export async function unlinkFlags(trx: Tx, commenterId: string, siteId?: string): Promise<number> {
  let q = trx.updateTable('flags').set({ commenter_id: null, note: null }).where('commenter_id', '=', commenterId);
  if (siteId) q = q.where('comment_id', 'in', (eb) => eb.selectFrom('comments').select('comments.id').where('comments.site_id', '=', siteId));
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * What a comment keeps of its author and words once they must go (erasure, retention): nothing. Its
 * place in the thread (id, parent, time, counters) stays, so replies keep theirs.
 */
export const WITHOUT_AUTHOR = {
  commenter_id: null,
  author_name: null,
  author_website: null,
  reader_badge: null,
  badge: null,
  body_src: '',
  body_html: '',
  text_hash: null,
  ip_hash: null,
  user_agent: null,
} as const;

/** The comment keeps its place (id, thread, parent, time, counters) and loses everything about its author. */
export async function tombstone(trx: Tx, commentId: string): Promise<Comment> {
  return trx
    .updateTable('comments')
    .set({
      status: 'deleted',
      previous_status: null,
      featured: false,
      ...WITHOUT_AUTHOR,
      member_id: null,
      deleted_at: sql`coalesce(deleted_at, now())`,
    })
    .where('id', '=', commentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteEdits(trx: Tx, commentIds: string[]): Promise<number> {
  if (commentIds.length === 0) return 0;
  const result = await trx.deleteFrom('comment_edits').where('comment_id', 'in', commentIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The replay log holds copies of comments as they were broadcast. Events only the author could
 * receive (their pending comments) are deleted — nobody else ever saw them, so no reader misses a
 * seq; public events keep their place in the sequence with the author and body blanked.
 */
export async function scrubEvents(trx: Tx, threadIds: string[], commentIds: string[], audience?: string): Promise<number> {
  if (threadIds.length === 0) return 0;
  const ids = sql.val(commentIds);
  const deleted = await sql`
    delete from thread_events
    where thread_id = any(${sql.val(threadIds)}::text[])
      and audience is not null
      and (${audience ? sql`audience = ${audience} or ` : sql``}(payload->'comment'->>'id') = any(${ids}::text[]))`.execute(trx);
  const updated = await sql`
    update thread_events
    set payload = jsonb_set(
      jsonb_set(payload, '{comment,author}', '{"name": null, "website": null, "badge": null}'::jsonb),
      '{comment,bodyHtml}', '""'::jsonb)
    where thread_id = any(${sql.val(threadIds)}::text[])
      and (payload->'comment'->>'id') = any(${ids}::text[])
      and (payload->'comment'->>'bodyHtml' <> '' or payload->'comment'->'author'->>'name' is not null
           or payload->'comment'->'author'->>'website' is not null)`.execute(trx);
  return Number(deleted.numAffectedRows ?? 0) + Number(updated.numAffectedRows ?? 0);
}

/**
 * Stored replies of idempotent requests: a first post's stored response holds the new token and the
 * comment as shown. Matched by the scope naming the commenter or by a body naming one of their comments.
 */
export async function deleteIdempotencyKeys(trx: Tx, needles: string[]): Promise<number> {
  const patterns = needles.filter((n) => n.length >= 8).map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (patterns.length === 0) return 0;
  const result = await sql`
    delete from idempotency_keys
    where scope like any(${sql.val(patterns)}::text[]) or response_body::text like any(${sql.val(patterns)}::text[])`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Shared flood counters (`rate_limits`, kept in PostgreSQL by the reader API's limits) are keyed by
 * commenter id and by network hash. They expire within the hour on their own; erasure does not wait.
 * The table exists only where those limits are installed, hence the check.
 */
export async function deleteRateLimitKeys(trx: Tx, needles: string[]): Promise<number> {
  const patterns = needles.filter((n) => n.length >= 8).map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (patterns.length === 0) return 0;
  const exists = await sql<{ t: string | null }>`select to_regclass('public.rate_limits')::text as t`.execute(trx);
  if (!exists.rows[0]?.t) return 0;
  const result = await sql`delete from rate_limits where key like any(${sql.val(patterns)}::text[])`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** Whether the commenter still has anything anywhere (after a one-site erasure). */
export async function holdsAnything(db: Executor, commenterId: string): Promise<boolean> {
  const result = await sql<{ any: boolean }>`
    select exists (select 1 from comments where commenter_id = ${commenterId})
        or exists (select 1 from reactions where commenter_id = ${commenterId})
        or exists (select 1 from flags where commenter_id = ${commenterId}) as any`.execute(db);
  return Boolean(result.rows[0]?.any);
}

export async function deleteCommenter(trx: Tx, commenterId: string): Promise<void> {
  await trx.deleteFrom('commenters').where('id', '=', commenterId).execute();
}

/** Pending lost-token requests for an address nobody holds any more: they would only keep the email. */
export async function forgetRequestsFor(trx: Tx, email: string | null): Promise<number> {
  if (!email) return 0;
  const result = await sql`
    delete from privacy_requests
    where status = 'pending' and lower(email) = lower(${email})
      and not exists (select 1 from commenters where lower(commenters.email) = lower(${email}))`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
