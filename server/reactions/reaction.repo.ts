import type { Comment } from '../../db/schema';
import { sql } from 'kysely';
import type { Executor, Tx } from '../db';

/** Adds a like; false when this commenter already liked the comment (the primary key decides). */
export async function addReaction(trx: Tx, commentId: string, commenterId: string, ipHash: string | null): Promise<boolean> {
  const row = await trx
    .insertInto('reactions')
    .values({ comment_id: commentId, commenter_id: commenterId, ip_hash: ipHash })
    .onConflict((oc) => oc.columns(['comment_id', 'commenter_id']).doNothing())
    .returning('comment_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Serialises likes from one network on one comment, so the per-network cap cannot be overrun by
 * likes arriving at the same instant. The lock is per (comment, network), never per comment.
 */
export async function lockNetwork(trx: Tx, commentId: string, ipHash: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`like:${commentId}:${ipHash}`}, 0))`.execute(trx);
}

/** Likes on a comment from one network, given as its hashes under each day's secret. */
export async function networkLikes(trx: Tx, commentId: string, ipHashes: string[]): Promise<number> {
  const row = await trx
    .selectFrom('reactions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('comment_id', '=', commentId)
    .where('ip_hash', 'in', ipHashes)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function removeReaction(trx: Tx, commentId: string, commenterId: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('reactions')
    .where('comment_id', '=', commentId)
    .where('commenter_id', '=', commenterId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Which of these comments the commenter likes (the primary key's index, one probe per id). */
export async function reactedAmong(db: Executor, commenterId: string, commentIds: string[]): Promise<Set<string>> {
  if (commentIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('reactions')
    .select('comment_id')
    .where('commenter_id', '=', commenterId)
    .where('comment_id', 'in', commentIds)
    .execute();
  return new Set(rows.map((r) => r.comment_id));
}

/** Moves the comment's counter by one like, atomically (the row lock orders concurrent clicks). */
export async function shiftReactionCount(trx: Tx, commentId: string, delta: 1 | -1): Promise<Comment> {
  return trx
    .updateTable('comments')
    .set((eb) => ({ reaction_count: eb('reaction_count', '+', delta) }))
    .where('id', '=', commentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
