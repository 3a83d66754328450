import type { Comment } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** Adds a like; false when this commenter already liked the comment (the primary key decides). */
export async function addReaction(trx: Tx, commentId: string, commenterId: string): Promise<boolean> {
  const row = await trx
    .insertInto('reactions')
    .values({ comment_id: commentId, commenter_id: commenterId })
    .onConflict((oc) => oc.columns(['comment_id', 'commenter_id']).doNothing())
    .returning('comment_id')
    .executeTakeFirst();
  return row !== undefined;
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
