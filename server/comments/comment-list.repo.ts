import { type SelectQueryBuilder, sql } from 'kysely';
import type { Comment, Database } from '../../db/schema';
import type { Executor } from '../db';
import type { Cursor } from './comment.cursor';
import type { Sort } from './comment.schema';

/**
 * The SQL behind thread pages and reply lists. Every list is a keyset page over a partial index:
 * listed comments (approved ones, and placeholders still holding replies — see isListed) through the
 * indexes of migration 012, and the caller's own pending comments through `comments_own_pending`;
 * the two are merged in the sort order, so a reader sees their held comment where it will appear
 * once approved.
 *
 * LISTED is, word for word, the predicate of those indexes, so the planner proves it may use them; a
 * pending comment with replies matches it too (an edit sent it back to moderation) but is not listed.
 */
const LISTED = sql<boolean>`(status = 'approved' or reply_count > 0)`;

type CommentQuery = SelectQueryBuilder<Database, 'comments', Comment>;

function keyset(q: CommentQuery, sort: Sort, after?: Cursor): CommentQuery {
  if (sort === 'oldest') {
    if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id})`);
    return q.orderBy('created_at', 'asc').orderBy('id', 'asc');
  }
  if (sort === 'newest') {
    if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc');
  }
  if (after) {
    q = q.where(
      sql<boolean>`(reaction_count, created_at, id) < (${after.reactions ?? 0}, ${after.createdAt}::timestamptz, ${after.id})`,
    );
  }
  return q.orderBy('reaction_count', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc');
}

/** A thread's top-level comments, in every status: what each listing below narrows. */
const threadTopLevel = (db: Executor, threadId: string) =>
  db.selectFrom('comments').selectAll().where('thread_id', '=', threadId).where('parent_id', 'is', null);

/** The public top-level page; exported so a test can EXPLAIN exactly what runs. */
export function topLevelQuery(db: Executor, threadId: string, sort: Sort, limit: number, after?: Cursor): CommentQuery {
  const q = threadTopLevel(db, threadId).where('status', '!=', 'pending').where(LISTED);
  return keyset(q, sort, after).limit(limit);
}

export function ownPendingTopLevelQuery(
  db: Executor,
  threadId: string,
  viewerId: string,
  sort: Sort,
  limit: number,
  after?: Cursor,
): CommentQuery {
  const q = threadTopLevel(db, threadId).where('commenter_id', '=', viewerId).where('status', '=', 'pending');
  return keyset(q, sort, after).limit(limit);
}

/** The order of a sort, in JavaScript, for merging two pages that are each already in it. */
export function compareFor(sort: Sort): (a: Comment, b: Comment) => number {
  const byTime = (a: Comment, b: Comment) =>
    a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (sort === 'oldest') return byTime;
  if (sort === 'newest') return (a, b) => byTime(b, a);
  return (a, b) => b.reaction_count - a.reaction_count || byTime(b, a);
}

/** Two pages merged; a comment in both (it changed between the two reads) is shown once. */
function merge(a: Comment[], b: Comment[], sort: Sort, limit: number): Comment[] {
  if (b.length === 0) return a;
  const seen = new Set(a.map((c) => c.id));
  return [...a, ...b.filter((c) => !seen.has(c.id))].sort(compareFor(sort)).slice(0, limit);
}

export async function listTopLevel(
  db: Executor,
  threadId: string,
  sort: Sort,
  limit: number,
  after: Cursor | undefined,
  viewerId: string | null,
): Promise<Comment[]> {
  const rows = await topLevelQuery(db, threadId, sort, limit, after).execute();
  if (!viewerId) return rows;
  const own = await ownPendingTopLevelQuery(db, threadId, viewerId, sort, limit, after).execute();
  return merge(rows, own, sort, limit);
}

/** Whether the caller has a pending comment anywhere in the thread (`comments_own_pending`). */
export async function hasOwnPending(db: Executor, threadId: string, viewerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('comments')
    .select('id')
    .where('commenter_id', '=', viewerId)
    .where('thread_id', '=', threadId)
    .where('status', '=', 'pending')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A comment's listed replies, oldest first; exported so a test can EXPLAIN exactly what runs. */
export function repliesQuery(db: Executor, parentId: string, limit: number, after?: Cursor): CommentQuery {
  const q = db.selectFrom('comments').selectAll().where('parent_id', '=', parentId).where('status', '!=', 'pending').where(LISTED);
  return keyset(q, 'oldest', after).limit(limit);
}

/** A comment's replies, oldest first, after a cursor; the caller's own pending ones included. */
export async function listReplies(
  db: Executor,
  parentId: string,
  limit: number,
  after: Cursor | undefined,
  viewerId: string | null,
): Promise<Comment[]> {
  const rows = await repliesQuery(db, parentId, limit, after).execute();
  if (!viewerId) return rows;
  const own = db
    .selectFrom('comments')
    .selectAll()
    .where('commenter_id', '=', viewerId)
    .where('parent_id', '=', parentId)
    .where('status', '=', 'pending');
  return merge(rows, await keyset(own, 'oldest', after).limit(limit).execute(), 'oldest', limit);
}

/**
 * The first `perParent` replies of each parent, in one round trip: a lateral join walks the
 * `(parent_id, created_at, id)` index once per parent instead of reading every reply.
 */
export function firstRepliesSql(parentIds: string[], perParent: number, viewerId: string | null) {
  const own = viewerId
    ? sql`union all
      (select * from comments o
       where o.commenter_id = ${viewerId} and o.parent_id = p.id and o.status = 'pending'
       order by o.created_at, o.id limit ${perParent})`
    : sql``;
  return sql<Comment>`
    select r.* from unnest(${sql.val(parentIds)}::text[]) as p(id)
    cross join lateral (
      select * from (
        (select * from comments c
         where c.parent_id = p.id and c.status <> 'pending'
           and (c.status = 'approved' or c.reply_count > 0)
         order by c.created_at, c.id
         limit ${perParent})
        ${own}
      ) u
      order by u.created_at, u.id
      limit ${perParent}
    ) r`;
}

export async function firstReplies(db: Executor, parentIds: string[], perParent: number, viewerId: string | null): Promise<Comment[]> {
  if (parentIds.length === 0) return [];
  return (await firstRepliesSql(parentIds, perParent, viewerId).execute(db)).rows;
}

/** The thread's picks (featured and approved, at any depth), through `comments_featured`. */
export function featuredQuery(db: Executor, threadId: string, sort: Sort, limit: number, after?: Cursor): CommentQuery {
  const q = db.selectFrom('comments').selectAll().where('thread_id', '=', threadId).where('featured', '=', true).where('status', '=', 'approved');
  return keyset(q, sort, after).limit(limit);
}

/**
 * A Q&A thread's questions, one half: answered ones (through `comments_answered`), or the others
 * (the listed top-level comments without a published answer, with the caller's pending ones).
 */
export async function listQuestions(
  db: Executor,
  threadId: string,
  answered: boolean,
  sort: Sort,
  limit: number,
  after: Cursor | undefined,
  viewerId: string | null,
): Promise<Comment[]> {
  if (answered) {
    const q = threadTopLevel(db, threadId).where('answer_id', 'is not', null).where('status', '=', 'approved');
    return keyset(q, sort, after).limit(limit).execute();
  }
  const open = topLevelQuery(db, threadId, sort, limit, after).where(sql<boolean>`(answer_id is null or status <> 'approved')`);
  const rows = await open.execute();
  if (!viewerId) return rows;
  const own = await ownPendingTopLevelQuery(db, threadId, viewerId, sort, limit, after).execute();
  return merge(rows, own, sort, limit);
}

/** The published answers of these questions. */
export async function answersOf(db: Executor, answerIds: string[]): Promise<Comment[]> {
  if (answerIds.length === 0) return [];
  return db.selectFrom('comments').selectAll().where('id', 'in', answerIds).where('status', '=', 'approved').execute();
}
