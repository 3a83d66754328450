import type { Comment, CommentStatus } from '../../db/schema';
import type { UnitOfWork } from '../db';
import { recordThreadEvent, recordThreadUpdate, type ThreadChangeInput } from '../threads/thread.events';
import * as threadRepo from '../threads/thread.repo';
import * as repo from './comment.repo';
import { authorView, type CommentView, commentView, withdrawnView } from './comment.view';
import { recordSiteEvent } from '../sites/site.events';

/**
 * What every change to a comment must keep true, in the transaction that makes it (the thread row is
 * already locked by the caller — lock order: thread, then comments):
 * - `threads.comment_count` counts approved comments;
 * - `comments.reply_count` counts the direct replies that are listed: approved ones, and placeholders
 *   that still hold listed replies (so taking the last reply under a placeholder hides it too);
 * - every visible change takes the thread's next `seq`, is written to `thread_events`, and is
 *   published after commit; a status change is also announced to the moderation side.
 */

/**
 * A comment taken out of the thread — deleted by its author, rejected or marked as spam by a
 * moderator — that still holds its place while replies hang from it, so those replies stay readable
 * and the thread's count stays true to what readers find. A pending comment never holds a place: it
 * has not been published yet.
 */
export function holdsPlace(status: CommentStatus): boolean {
  return status === 'deleted' || status === 'rejected' || status === 'spam';
}

export function isListed(c: Pick<Comment, 'status' | 'reply_count'>): boolean {
  return c.status === 'approved' || (holdsPlace(c.status) && c.reply_count > 0);
}

/**
 * Who may read a comment: everyone while it is listed or a tombstone (as a placeholder, see
 * commentView); otherwise only its author.
 */
export function canSee(c: Comment, viewerId: string | null): boolean {
  return isListed(c) || c.status === 'deleted' || (viewerId !== null && c.commenter_id === viewerId);
}

export async function applyCounters(uow: UnitOfWork, before: Comment, after: Comment): Promise<void> {
  const approvedDelta = Number(after.status === 'approved') - Number(before.status === 'approved');
  await threadRepo.addToCommentCount(uow.trx, after.thread_id, approvedDelta);
  await applyReplyCounters(uow, before, after);
  await releaseAnswer(uow, before, after);
  const featuredDelta = Number(isPick(after)) - Number(isPick(before));
  if (featuredDelta !== 0) {
    // The thread's picks changed: readers learn the new count (and a first pick) from the thread.
    await threadRepo.addToFeaturedCount(uow.trx, after.thread_id, featuredDelta);
    await recordThreadUpdate(uow, after.thread_id);
  }
}

/**
 * An answer that is no longer published (deleted, taken down, back in moderation) no longer answers
 * its question: the question returns to the open ones, and readers are told (`comment:updated`).
 */
async function releaseAnswer(uow: UnitOfWork, before: Comment, after: Comment): Promise<void> {
  if (before.status !== 'approved' || after.status === 'approved' || !after.parent_id || !after.badge) return;
  const question = await uow.trx.selectFrom('comments').selectAll().where('answer_id', '=', after.id).forUpdate().executeTakeFirst();
  if (!question) return;
  const updated = await uow.trx.updateTable('comments').set({ answer_id: null }).where('id', '=', question.id).returningAll().executeTakeFirstOrThrow();
  await recordChange(uow, question, updated);
}

/** A comment in the thread's Picks: featured by staff and published. */
export function isPick(c: Pick<Comment, 'status' | 'featured'>): boolean {
  return c.featured && c.status === 'approved';
}

/** The reply counts up the ancestry; the thread's own count is the caller's (applyCounters). */
export async function applyReplyCounters(uow: UnitOfWork, before: Comment, after: Comment): Promise<void> {
  const { trx } = uow;
  const listedBefore = isListed(before);
  const listedAfter = isListed(after);
  if (listedBefore === listedAfter || !after.parent_id) return;
  // Walk up while a placeholder's listing changes with its reply count.
  let parentId: string | null = after.parent_id;
  let delta = listedAfter ? 1 : -1;
  while (parentId) {
    const parent = await repo.shiftReplyCount(trx, parentId, delta);
    if (!parent || !holdsPlace(parent.status)) return;
    const wasListed = parent.reply_count - delta > 0;
    const nowListed = parent.reply_count > 0;
    if (wasListed === nowListed) return;
    parentId = parent.parent_id;
    delta = nowListed ? 1 : -1;
  }
}

/**
 * The one rule of who sees what of a comment:
 * - everyone sees it while it is listed (approved, or a placeholder that still holds replies), as
 *   `commentView` shows it; otherwise it is not on their page;
 * - its author sees it in every status but deleted, as `authorView` shows it (a comment marked as
 *   spam shows as pending to them); deleted, they see what everyone sees;
 * - staff see everything, through the moderation API and queues, never through thread events.
 */
function publicSees(c: Comment): CommentView | null {
  return isListed(c) ? commentView(c) : null;
}

function authorSees(c: Comment): CommentView | null {
  return c.status === 'deleted' ? publicSees(c) : authorView(c);
}

const same = (a: CommentView, b: CommentView) => JSON.stringify({ ...a, seq: 0 }) === JSON.stringify({ ...b, seq: 0 });

type Change = Extract<ThreadChangeInput, { comment: CommentView }>;

/**
 * The live events of a change, derived from the rule above for each audience: arriving on a page
 * is a creation, leaving it a removal (which tells only the comment's place), changing on it an
 * update. The author's sockets also read the public room, so they get an event of their own only
 * where their view differs from what the public event left on their page.
 */
export function audiencesFor(before: Comment | null, after: Comment): Change[] {
  const changes: Change[] = [];
  const publicBefore = before && publicSees(before);
  const publicAfter = publicSees(after);
  if (!publicBefore && publicAfter) changes.push({ event: 'comment:created', comment: publicAfter, audience: null });
  else if (publicBefore && !publicAfter) changes.push({ event: 'comment:removed', comment: withdrawnView(after), audience: null });
  else if (publicBefore && publicAfter && !same(publicBefore, publicAfter)) changes.push({ event: 'comment:updated', comment: publicAfter, audience: null });

  const author = after.commenter_id;
  if (!author) return changes;
  const ownBefore = before && authorSees(before);
  const ownAfter = authorSees(after);
  const told = changes.length > 0;
  if (!ownAfter) {
    // Gone for its author too (they deleted it): the public removal, if any, already said so.
    if (ownBefore && !told) changes.push({ event: 'comment:removed', comment: withdrawnView(after, true), audience: author });
  } else if (!ownBefore) {
    if (!publicAfter || !same(publicAfter, ownAfter)) changes.push({ event: 'comment:created', comment: ownAfter, audience: author });
  } else if (told ? !publicAfter || !same(publicAfter, ownAfter) : !same(ownBefore, ownAfter)) {
    // Their own comment stays on their page whatever the public was told (the widget keeps `mine`).
    changes.push({ event: 'comment:updated', comment: ownAfter, audience: author });
  }
  return changes;
}

/**
 * The event of a new comment: a creation has exactly one audience — everyone, or only its author.
 * Built before the comment has its seq and time (the statement that inserts it fills them in, see
 * planClaimingThread). `extras`: what the view adds for everyone, beyond the row (the author's
 * shown poll choice).
 */
export function creationEvent(comment: Comment, extras: Partial<CommentView> = {}): Change {
  const [e] = audiencesFor(null, comment);
  return { ...e!, comment: { ...e!.comment, ...extras } };
}

/** Writes and queues the events of a change; returns the comment with its new `seq`. */
export async function recordChange(uow: UnitOfWork, before: Comment | null, after: Comment): Promise<Comment> {
  let seq = after.seq;
  for (const change of audiencesFor(before, after)) {
    ({ seq } = await recordThreadEvent(uow, { siteId: after.site_id, threadId: after.thread_id }, change));
  }
  if (seq !== after.seq) await repo.setSeq(uow.trx, after.id, seq);
  await announceStatus(uow, before, after);
  return { ...after, seq };
}

/**
 * Tells the moderation side (queues, counts) that a comment's status changed. `known`: what the
 * caller already read about the site (a post, under its thread's lock), so writers need not ask.
 */
export async function announceStatus(uow: UnitOfWork, before: Comment | null, after: Comment, known: { siteEndpoints?: number } = {}): Promise<void> {
  const from: CommentStatus | null = before?.status ?? null;
  if (from === after.status) return;
  await recordSiteEvent(uow, 'comment.status', {
    siteId: after.site_id,
    threadId: after.thread_id,
    commentId: after.id,
    parentId: after.parent_id,
    replyToId: after.reply_to_id,
    commenterId: after.commenter_id,
    from,
    to: after.status,
    ...known,
  });
}
