import { sql } from 'kysely';
import type { Comment } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** The SQL of carrying an anonymous reader's comments (and likes and poll votes) over to their account. */

/** Comments of a commenter on a site that a claim would carry over (tombstones are moved too, but not counted). */
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

/**
 * The anonymous reader's likes on the site become the account's, except where the account liked the
 * same comment already (those are withdrawn with the anonymous identity). No tally changes.
 */
export async function moveLikes(trx: Tx, from: string, to: string, siteId: string): Promise<number> {
  const result = await sql`
    update reactions r set commenter_id = ${to}
    from comments c
    where c.id = r.comment_id and c.site_id = ${siteId} and r.commenter_id = ${from}
      and not exists (select 1 from reactions mine where mine.comment_id = r.comment_id and mine.commenter_id = ${to})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** The same for poll ballots and their choices: a poll the account voted in keeps the account's vote. */
export async function moveBallots(trx: Tx, from: string, to: string, siteId: string): Promise<number> {
  // A ballot for the account first (the choices reference their ballot), then its choices, then the old ballot goes.
  const moved = await sql<{ poll_id: string }>`
    insert into poll_ballots (poll_id, commenter_id, ip_hash, created_at, updated_at)
    select b.poll_id, ${to}, b.ip_hash, b.created_at, b.updated_at
    from poll_ballots b join polls p on p.id = b.poll_id
    where b.commenter_id = ${from} and p.site_id = ${siteId}
      and not exists (select 1 from poll_ballots mine where mine.poll_id = b.poll_id and mine.commenter_id = ${to})
    returning poll_id`.execute(trx);
  const ids = moved.rows.map((r) => r.poll_id);
  if (ids.length === 0) return 0;
  await trx.updateTable('poll_choices').set({ commenter_id: to }).where('commenter_id', '=', from).where('poll_id', 'in', ids).execute();
  await trx.deleteFrom('poll_ballots').where('commenter_id', '=', from).where('poll_id', 'in', ids).execute();
  return ids.length;
}

/**
 * Reply and thread mail subscriptions on the site go to the account too (one the account already has
 * for the same thread or comment stays as it is), and the addresses the anonymous reader created
 * there become the account's, so erasing what is left of the anonymous identity keeps them.
 */
export async function moveSubscriptions(trx: Tx, from: string, to: string, siteId: string): Promise<number> {
  const result = await sql`
    update mail_subscriptions s set commenter_id = ${to}
    where s.commenter_id = ${from} and s.site_id = ${siteId}
      and not exists (
        select 1 from mail_subscriptions mine
        where mine.commenter_id = ${to} and mine.thread_id = s.thread_id and coalesce(mine.comment_id, '') = coalesce(s.comment_id, ''))`.execute(trx);
  await trx.updateTable('mail_addresses').set({ commenter_id: to }).where('commenter_id', '=', from).where('site_id', '=', siteId).execute();
  return Number(result.numAffectedRows ?? 0);
}
