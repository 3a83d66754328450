import type { Comment } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** The SQL of carrying an anonymous reader's comments over to their account. */

/** Comments of a commenter on a site that a claim would carry over (tombstones included: they are theirs too). */
export async function countClaimable(db: Executor, commenterId: string, siteId: string): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('commenter_id', '=', commenterId)
    .where('site_id', '=', siteId)
    .where('status', '!=', 'deleted')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function threadsOf(db: Executor, commenterId: string, siteId: string): Promise<string[]> {
  const rows = await db.selectFrom('comments').select('thread_id').distinct().where('commenter_id', '=', commenterId).where('site_id', '=', siteId).execute();
  return rows.map((r) => r.thread_id);
}

export async function commentsOf(trx: Tx, commenterId: string, siteId: string): Promise<Comment[]> {
  return trx
    .selectFrom('comments')
    .selectAll()
    .where('commenter_id', '=', commenterId)
    .where('site_id', '=', siteId)
    .orderBy('thread_id')
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function reassign(trx: Tx, commentId: string, values: Pick<Comment, 'commenter_id'> & Partial<Pick<Comment, 'author_name' | 'author_website' | 'reader_badge'>>): Promise<Comment> {
  return trx.updateTable('comments').set(values).where('id', '=', commentId).returningAll().executeTakeFirstOrThrow();
}
