import type { Comment, CommentStatus } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** The comment row, locked until commit; always after its thread's lock (thread, then comments). */
export async function lockComment(trx: Tx, id: string): Promise<Comment | undefined> {
  return trx.selectFrom('comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Writes a decision if the comment is still at the version it was read at (compare and set): the
 * row lock already serialises deciders, this makes a lost race impossible to miss.
 */
export async function applyDecision(
  trx: Tx,
  c: Comment,
  next: { status: CommentStatus; featured: boolean },
): Promise<Comment | undefined> {
  return trx
    .updateTable('comments')
    .set((eb) => ({
      status: next.status,
      featured: next.featured,
      previous_status: next.status === c.status ? c.previous_status : c.status,
      flags_cleared: eb.ref('flag_count'),
      mod_version: eb('mod_version', '+', 1),
    }))
    .where('id', '=', c.id)
    .where('mod_version', '=', c.mod_version)
    .returningAll()
    .executeTakeFirst();
}

export async function pendingOf(
  db: Executor,
  siteId: string,
  target: { commenterId?: string | null; networkHash?: string | null },
  limit: number,
): Promise<Array<{ id: string; thread_id: string }>> {
  let q = db.selectFrom('comments').select(['id', 'thread_id']).where('site_id', '=', siteId).where('status', '=', 'pending');
  if (target.commenterId) q = q.where('commenter_id', '=', target.commenterId);
  else if (target.networkHash) q = q.where('ip_hash', '=', target.networkHash);
  else return [];
  // Thread order: the locks of several threads are always taken in the same order.
  return q.orderBy('thread_id').orderBy('id').limit(limit).execute();
}
