import type { Comment } from '../../db/schema';
import type { Executor, Tx } from '../db';

export interface ShownVoteRow {
  commenter_id: string;
  poll_id: string;
  label: string;
}

/**
 * The choices, in a thread's polls, of those among `commenterIds` who chose to show their vote next
 * to their comments. One query for a whole page: polls through `polls_thread`, then the ballots'
 * primary key per poll and commenter. Polls in creation order, options in their order.
 */
export async function shownChoices(db: Executor, threadId: string, commenterIds: string[]): Promise<ShownVoteRow[]> {
  if (commenterIds.length === 0) return [];
  return db
    .selectFrom('polls as p')
    .innerJoin('poll_choices as ch', 'ch.poll_id', 'p.id')
    .innerJoin('commenters as cm', 'cm.id', 'ch.commenter_id')
    .innerJoin('poll_options as o', 'o.id', 'ch.option_id')
    .select(['ch.commenter_id', 'ch.poll_id', 'o.label'])
    .where('p.thread_id', '=', threadId)
    .where('ch.commenter_id', 'in', commenterIds)
    .where('cm.show_vote', '=', true)
    .orderBy('p.created_at')
    .orderBy('p.id')
    .orderBy('o.position')
    .execute();
}

/** The threads where a commenter has a ballot: where showing or hiding their vote changes anything. */
export async function threadsVotedIn(db: Executor, commenterId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('poll_ballots as b')
    .innerJoin('polls as p', 'p.id', 'b.poll_id')
    .select('p.thread_id')
    .distinct()
    .where('b.commenter_id', '=', commenterId)
    .execute();
  return rows.map((r) => r.thread_id);
}

/** A commenter's public comments in a thread, newest first: the ones whose "voted" line changes. */
export async function publicCommentsOf(trx: Tx, threadId: string, commenterId: string, limit: number): Promise<Comment[]> {
  return trx
    .selectFrom('comments')
    .selectAll()
    .where('commenter_id', '=', commenterId)
    .where('thread_id', '=', threadId)
    .where('status', '=', 'approved')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
