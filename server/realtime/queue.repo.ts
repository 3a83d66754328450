import { sql } from 'kysely';
import type { Executor } from '../db';
import type { QueueCounts } from './contract';

/**
 * The four queue counts of a site in one query. Pending, spam and rejected walk the
 * (site_id, status) index; flagged walks the partial index of approved comments with flags.
 * Comments a moderator has already cleared are the moderation engine's to exclude once it stores
 * that.
 */
export async function queueCounts(db: Executor, siteId: string, flagThreshold: number): Promise<QueueCounts> {
  const row = await db
    .selectFrom('comments')
    .select([
      sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
      sql<number>`count(*) filter (where status = 'approved')`.as('flagged'),
      sql<number>`count(*) filter (where status = 'spam')`.as('spam'),
      sql<number>`count(*) filter (where status = 'rejected')`.as('rejected'),
    ])
    .where('site_id', '=', siteId)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'spam', 'rejected']),
        eb.and([eb('status', '=', 'approved'), eb('flag_count', '>', 0), eb('flag_count', '>=', flagThreshold)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    flagged: Number(row.flagged),
    spam: Number(row.spam),
    rejected: Number(row.rejected),
  };
}
