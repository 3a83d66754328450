import { sql } from 'kysely';
import type { Comment, NewComment } from '../../db/schema';
import type { Executor, Tx } from '../db';
import type { Cursor } from './comment.cursor';
import type { Sort } from './comment.schema';

/** What a public list shows: approved comments, and tombstones that still hold replies. */
const VISIBLE = sql<boolean>`(status = 'approved' or (status = 'deleted' and reply_count > 0))`;

export async function findComment(db: Executor, id: string): Promise<Comment | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertComment(trx: Tx, values: NewComment): Promise<Comment> {
  return trx.insertInto('comments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function addToReplyCount(trx: Tx, commentId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .updateTable('comments')
    .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
    .where('id', '=', commentId)
    .execute();
}

export async function setSeq(trx: Tx, commentId: string, seq: number): Promise<void> {
  await trx.updateTable('comments').set({ seq }).where('id', '=', commentId).execute();
}

/**
 * One page of top-level comments, by keyset: `(created_at, id)` for time sorts and
 * `(reaction_count, created_at, id)` for top, each matching a partial index, so the first page of a
 * huge thread reads only the rows it returns.
 */
export async function listTopLevel(
  db: Executor,
  threadId: string,
  sort: Sort,
  limit: number,
  after?: Cursor,
): Promise<Comment[]> {
  let q = db
    .selectFrom('comments')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('parent_id', 'is', null)
    .where('status', 'in', ['approved', 'deleted'])
    .where(VISIBLE);
  if (sort === 'oldest') {
    if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id})`);
    q = q.orderBy('created_at', 'asc').orderBy('id', 'asc');
  } else if (sort === 'newest') {
    if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`);
    q = q.orderBy('created_at', 'desc').orderBy('id', 'desc');
  } else {
    if (after) {
      q = q.where(
        sql<boolean>`(reaction_count, created_at, id) < (${after.reactions ?? 0}, ${after.createdAt}::timestamptz, ${after.id})`,
      );
    }
    q = q.orderBy('reaction_count', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc');
  }
  return q.limit(limit).execute();
}

/** The replies of a comment, oldest first, after a cursor. */
export async function listReplies(db: Executor, parentId: string, limit: number, after?: Cursor): Promise<Comment[]> {
  let q = db
    .selectFrom('comments')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('status', 'in', ['approved', 'deleted'])
    .where(VISIBLE);
  if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id})`);
  return q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
}

/**
 * The first `perParent` replies of each parent, in one round trip: a lateral join walks the
 * `(parent_id, created_at, id)` index once per parent instead of reading every reply.
 */
export async function firstReplies(db: Executor, parentIds: string[], perParent: number): Promise<Comment[]> {
  if (parentIds.length === 0) return [];
  const result = await sql<Comment>`
    select r.* from unnest(${sql.val(parentIds)}::text[]) as p(id)
    cross join lateral (
      select * from comments c
      where c.parent_id = p.id and c.status in ('approved', 'deleted')
        and (c.status = 'approved' or c.reply_count > 0)
      order by c.created_at, c.id
      limit ${perParent}
    ) r`.execute(db);
  return result.rows;
}
