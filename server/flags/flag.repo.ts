import type { Executor, Tx } from '../db';

export async function insertFlag(
  trx: Tx,
  values: { commentId: string; commenterId: string; reason: string; note: string | null },
): Promise<{ id: number; created_at: Date } | undefined> {
  // The partial unique index (comment, commenter) makes a second report a no-op, even under a race.
  return trx
    .insertInto('flags')
    .values({ comment_id: values.commentId, commenter_id: values.commenterId, reason: values.reason, note: values.note })
    .onConflict((oc) => oc.columns(['comment_id', 'commenter_id']).where('commenter_id', 'is not', null).doNothing())
    .returning(['id', 'created_at'])
    .executeTakeFirst();
}

/** Which of these comments the commenter reported. */
export async function flaggedAmong(db: Executor, commenterId: string, commentIds: string[]): Promise<Set<string>> {
  if (commentIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('flags')
    .select('comment_id')
    .where('commenter_id', '=', commenterId)
    .where('comment_id', 'in', commentIds)
    .execute();
  return new Set(rows.map((r) => r.comment_id));
}

export async function addToFlagCount(trx: Tx, commentId: string) {
  return trx
    .updateTable('comments')
    .set((eb) => ({ flag_count: eb('flag_count', '+', 1) }))
    .where('id', '=', commentId)
    .returning(['id', 'site_id', 'thread_id', 'status', 'flag_count', 'flags_cleared'])
    .executeTakeFirstOrThrow();
}
