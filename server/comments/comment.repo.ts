import { sql } from 'kysely';
import type { Comment, CommentUpdate, NewComment } from '../../db/schema';
import type { Executor, Tx } from '../db';

export async function findComment(db: Executor, id: string): Promise<Comment | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockComment(trx: Tx, id: string): Promise<Comment | undefined> {
  return trx.selectFrom('comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Inserts a comment. Unless the caller gives a time (imports, the demo), the comment gets one
 * strictly after the thread's previous comment, taken under the thread's row lock: times in a thread
 * then follow commit order, so keyset pages never miss a comment that committed late.
 */
export async function insertComment(trx: Tx, values: NewComment): Promise<Comment> {
  let createdAt = values.created_at;
  if (createdAt === undefined) {
    const stamp = await trx
      .updateTable('threads')
      .set({
        last_comment_at: sql`greatest(date_trunc('milliseconds', clock_timestamp()), last_comment_at + interval '1 millisecond')`,
      })
      .where('id', '=', values.thread_id)
      .returning('last_comment_at')
      .executeTakeFirstOrThrow();
    createdAt = stamp.last_comment_at!;
  }
  return trx
    .insertInto('comments')
    .values({ ...values, created_at: createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type NewCommentValues = Omit<NewComment, 'seq' | 'created_at'>;

const COLUMNS = [
  'id', 'site_id', 'thread_id', 'parent_id', 'reply_to_id', 'root_id', 'depth', 'commenter_id', 'member_id',
  'author_name', 'author_website', 'badge', 'body_src', 'body_html', 'text_hash', 'status', 'previous_status',
  'status_reason', 'ip_hash', 'user_agent',
] as const;

/** What a new comment's statement checks under the thread's lock before writing anything. */
export interface InsertGuard {
  /** The thread as the post was judged against: a thread closed or switched meanwhile writes nothing. */
  state: 'open' | 'closed';
  mode: 'pre' | 'post' | 'first_time' | null;
  /** The same text by the same author already in the thread writes nothing (see findDuplicate). */
  duplicate: { textHash: string; commenterId: string | null; ipHash: string | null };
}

/**
 * `findDuplicate` as a SQL condition, for statements that check it along with other things: the same
 * text by the same author in the thread (by commenter, or by network within ten minutes before a
 * first token). Null when nothing identifies the author.
 */
export function duplicateExists(d: { threadId: string; textHash: string; commenterId: string | null; ipHash: string | null }) {
  const same = d.commenterId
    ? sql`d.commenter_id = ${d.commenterId}`
    : d.ipHash
      ? sql`d.ip_hash = ${d.ipHash} and d.created_at > now() - interval '10 minutes'`
      : null;
  if (!same) return null;
  return sql<boolean>`exists (select 1 from comments d where d.thread_id = ${d.threadId} and d.text_hash = ${d.textHash} and d.status <> 'deleted' and ${same})`;
}

/**
 * A new comment in one statement, under the thread's row lock (held by the caller's transaction, so
 * the checks are exact): unless the thread changed or the comment is a duplicate, it takes the
 * thread's next seq and time (strictly after the thread's previous comment, so keyset pages never
 * miss a comment that committed late), moves the approved count, inserts the comment's new
 * commenter if any, the comment, and its event in the replay log — the event's payload given with
 * the comment's seq and time left to fill in. Nothing is written when it returns undefined.
 */
export async function insertClaimingThread(
  trx: Tx,
  values: NewCommentValues,
  approvedDelta: number,
  guard: InsertGuard,
  event: { name: string; audience: string | null; payload: Record<string, unknown> },
  newCommenter?: { id: string; token_hash: string; name: string | null; email: string | null; website: string | null },
): Promise<Comment | undefined> {
  const cols = sql.join(COLUMNS.map((c) => sql.ref(c)));
  const vals = sql.join(COLUMNS.map((c) => sql`${values[c] ?? null}`));
  const duplicate = duplicateExists({ ...guard.duplicate, threadId: values.thread_id });
  const notDuplicate = duplicate ? sql`and not ${duplicate}` : sql``;
  const commenter = newCommenter
    ? sql`, k as (
        insert into commenters (id, token_hash, name, email, website)
        select ${newCommenter.id}, ${newCommenter.token_hash}, ${newCommenter.name}, ${newCommenter.email}, ${newCommenter.website} from t
      )`
    : sql``;
  const result = await sql<Comment>`
    with t as (
      update threads set
        seq = seq + 1,
        comment_count = comment_count + ${approvedDelta},
        last_comment_at = greatest(date_trunc('milliseconds', clock_timestamp()), last_comment_at + interval '1 millisecond')
      where id = ${values.thread_id} and state = ${guard.state} and mode is not distinct from ${guard.mode}
        ${notDuplicate}
      returning id, seq, last_comment_at
    )${commenter}, c as (
      insert into comments (${cols}, seq, created_at)
      select ${vals}, t.seq, t.last_comment_at from t
      returning *
    ), e as (
      insert into thread_events (thread_id, seq, event, payload, audience)
      select t.id, t.seq, ${event.name},
        jsonb_set(jsonb_set(jsonb_set(${JSON.stringify(event.payload)}::jsonb,
          '{seq}', to_jsonb(t.seq)),
          '{comment,seq}', to_jsonb(t.seq)),
          '{comment,createdAt}', to_jsonb(to_char(t.last_comment_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
        ${event.audience}
      from t
    )
    select * from c`.execute(trx);
  return result.rows[0];
}

export async function updateComment(trx: Tx, id: string, patch: CommentUpdate): Promise<Comment> {
  return trx.updateTable('comments').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function addToReplyCount(trx: Tx, commentId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .updateTable('comments')
    .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
    .where('id', '=', commentId)
    .execute();
}

/** Adds to a parent's reply count and returns what decides whether the parent itself stays listed. */
export async function shiftReplyCount(
  trx: Tx,
  commentId: string,
  delta: number,
): Promise<Pick<Comment, 'status' | 'reply_count' | 'parent_id'> | undefined> {
  return trx
    .updateTable('comments')
    .set({ reply_count: sql`greatest(0, reply_count + ${delta})` })
    .where('id', '=', commentId)
    .returning(['status', 'reply_count', 'parent_id'])
    .executeTakeFirst();
}

export async function setSeq(trx: Tx, commentId: string, seq: number): Promise<void> {
  await trx.updateTable('comments').set({ seq }).where('id', '=', commentId).execute();
}

export async function insertEdit(trx: Tx, commentId: string, previousBody: string): Promise<void> {
  await trx.insertInto('comment_edits').values({ comment_id: commentId, body_src: previousBody }).execute();
}

export async function deleteEdits(trx: Tx, commentId: string): Promise<void> {
  await trx.deleteFrom('comment_edits').where('comment_id', '=', commentId).execute();
}

/** The ids of a comment's ancestors, top-level first, in one round trip. */
export async function ancestorIds(db: Executor, id: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive chain(id, parent_id, n) as (
      select id, parent_id, 0 from comments where id = ${id}
      union all
      select c.id, c.parent_id, chain.n + 1 from comments c join chain on c.id = chain.parent_id
      where chain.n < 100
    )
    select id from chain where n > 0 order by n desc`.execute(db);
  return result.rows.map((r) => r.id);
}

/**
 * Whether the same text is already in the thread: from the same commenter at any time, or — for a
 * first post, which has no commenter yet — from the same network in the last few minutes (a
 * double-click on "Post" before the browser had a token).
 */
export async function findDuplicate(
  db: Executor,
  args: { threadId: string; textHash: string; commenterId: string | null; ipHash: string | null; excludeId?: string },
): Promise<boolean> {
  let q = db
    .selectFrom('comments')
    .select('id')
    .where('thread_id', '=', args.threadId)
    .where('text_hash', '=', args.textHash)
    .where('status', '!=', 'deleted');
  if (args.excludeId) q = q.where('id', '!=', args.excludeId);
  if (args.commenterId) {
    q = q.where('commenter_id', '=', args.commenterId);
  } else if (args.ipHash) {
    q = q.where('ip_hash', '=', args.ipHash).where('created_at', '>', sql<Date>`now() - interval '10 minutes'`);
  } else {
    return false;
  }
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}
