import type { Comment } from '../../db/schema';
import type { Executor, UnitOfWork } from '../db';
import * as commenterRepo from '../commenters/commenter.repo';
import { holdsPlace } from '../comments/comment.changes';
import { commentView } from '../comments/comment.view';
import * as commentRepo from '../comments/comment.repo';
import { recordThreadEvent } from '../threads/thread.events';
import type { ShownVote } from './poll.schema';
import * as repo from './shown-vote.repo';

/** How many of an author's latest comments in a thread are re-announced when their shown vote changes. */
const ANNOUNCED_COMMENTS = 50;

async function byCommenter(db: Executor, threadId: string, commenterIds: string[]): Promise<Map<string, ShownVote>> {
  const out = new Map<string, ShownVote>();
  for (const row of await repo.shownChoices(db, threadId, commenterIds)) {
    const vote = out.get(row.commenter_id);
    // A thread rarely has more than one poll; when it does, the first one the author voted in speaks.
    if (!vote) out.set(row.commenter_id, { pollId: row.poll_id, options: [row.label] });
    else if (vote.pollId === row.poll_id) vote.options.push(row.label);
  }
  return out;
}

/** The choice this author shows next to their comments in this thread, if they show one. */
export async function shownVoteOf(db: Executor, threadId: string, commenterId: string): Promise<ShownVote | null> {
  return (await byCommenter(db, threadId, [commenterId])).get(commenterId) ?? null;
}

/**
 * The shown votes of the authors of a page of comments (all in one thread), by comment id: one query
 * for the page. Comments taken out of the thread (deleted, rejected, spam: at most a placeholder)
 * and anonymous rows carry none.
 */
export async function shownVotes(db: Executor, rows: Comment[]): Promise<Map<string, ShownVote>> {
  const out = new Map<string, ShownVote>();
  const shown = rows.filter((c) => c.commenter_id && !holdsPlace(c.status));
  if (shown.length === 0) return out;
  const votes = await byCommenter(db, shown[0]!.thread_id, [...new Set(shown.map((c) => c.commenter_id!))]);
  for (const c of shown) {
    const vote = votes.get(c.commenter_id!);
    if (vote) out.set(c.id, vote);
  }
  return out;
}

/**
 * The author's vote (or its absence) changed what their comments in this thread show: each of their
 * latest public comments takes the thread's next seq with a `comment:updated` that carries `vote`
 * (null when there is none to show). Live readers update in place, and anything cached per thread
 * seq (comment pages) is superseded. Nothing happens for an author who does not show their vote,
 * unless `always` (they just switched it off: their comments must stop showing it).
 */
export async function announceShownVote(uow: UnitOfWork, threadId: string, commenterId: string, always = false): Promise<void> {
  const { trx } = uow;
  const commenter = await commenterRepo.findCommenter(trx, commenterId);
  if (!commenter || (!commenter.show_vote && !always)) return;
  const comments = await repo.publicCommentsOf(trx, threadId, commenterId, ANNOUNCED_COMMENTS);
  if (comments.length === 0) return;
  const vote = (await byCommenter(trx, threadId, [commenterId])).get(commenterId) ?? null;
  for (const c of comments.reverse()) {
    const change = { event: 'comment:updated', comment: { ...commentView(c), vote }, audience: null } as const;
    const { seq } = await recordThreadEvent(uow, { siteId: c.site_id, threadId }, change);
    await commentRepo.setSeq(trx, c.id, seq);
  }
}

/** Showing or hiding one's vote changes every thread where one voted. */
export async function announceShownVotes(uow: UnitOfWork, commenterId: string): Promise<void> {
  for (const threadId of await repo.threadsVotedIn(uow.trx, commenterId)) await announceShownVote(uow, threadId, commenterId, true);
}
