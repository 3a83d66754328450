import type { Comment, CommentStatus } from '../../db/schema';
import type { UnitOfWork } from '../db';
import type { ThreadEventName } from '../events';
import * as threadRepo from '../threads/thread.repo';
import * as repo from './comment.repo';
import { authorView, type CommentView, commentView, withdrawnView } from './comment.view';

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

interface Emission {
  event: ThreadEventName;
  comment: CommentView;
  audience: string | null;
}

/**
 * The live events for a change, from the point of view of each audience: readers never receive a
 * comment they may not see, its author always learns what happened to their own. A comment taken
 * down that still holds replies stays on readers' pages as a placeholder: an update, not a removal.
 */
function emissions(kind: 'created' | 'updated' | 'removed', before: Comment | null, after: Comment): Emission[] {
  const author = after.commenter_id;
  const wasListed = before !== null && isListed(before);
  if (kind === 'removed') {
    return [{ event: 'comment:removed', comment: commentView(after), audience: wasListed ? null : author }];
  }
  const event = kind === 'created' ? 'comment:created' : 'comment:updated';
  if (after.status === 'approved') return [{ event, comment: commentView(after), audience: null }];
  const own: Emission = { event, comment: authorView(after), audience: author };
  if (isListed(after)) return [{ event, comment: commentView(after), audience: null }, ...(author ? [own] : [])];
  if (wasListed) return [{ event: 'comment:removed', comment: withdrawnView(after), audience: null }, own];
  return [own];
}

/**
 * The event of a new comment: a creation has exactly one audience — everyone, or only its author.
 * Built before the comment has its seq and time (the statement that inserts it fills them in, see
 * planClaimingThread), and published with them once it has.
 */
/** `extras`: what the view adds for everyone, beyond the row (the author's shown poll choice). */
export function creationEvent(comment: Comment, extras: Partial<CommentView> = {}) {
  const [e] = emissions('created', null, comment);
  const payload = { threadId: comment.thread_id, seq: comment.seq, comment: { ...e!.comment, ...extras, seq: comment.seq } };
  return { name: e!.event, audience: e!.audience, payload };
}

export function publishCreated(uow: UnitOfWork, comment: Comment, extras: Partial<CommentView> = {}): void {
  const e = creationEvent(comment, extras);
  const base = { siteId: comment.site_id, threadId: comment.thread_id, seq: comment.seq };
  uow.emit('thread.event', { ...base, event: e.name, payload: e.payload, audience: e.audience });
  uow.emit('comment.status', { siteId: comment.site_id, threadId: comment.thread_id, commentId: comment.id, from: null, to: comment.status });
}

/** Writes and queues the events of a change; returns the comment with its new `seq`. */
export async function recordChange(
  uow: UnitOfWork,
  kind: 'created' | 'updated' | 'removed',
  before: Comment | null,
  after: Comment,
): Promise<Comment> {
  let seq = after.seq;
  for (const e of emissions(kind, before, after)) {
    seq = await threadRepo.nextSeq(uow.trx, after.thread_id);
    const comment = { ...e.comment, seq };
    const payload = { threadId: after.thread_id, seq, comment };
    await threadRepo.appendEvent(uow.trx, { threadId: after.thread_id, seq, event: e.event, payload, audience: e.audience });
    uow.emit('thread.event', { siteId: after.site_id, threadId: after.thread_id, seq, event: e.event, payload, audience: e.audience });
  }
  if (seq !== after.seq) await repo.setSeq(uow.trx, after.id, seq);
  const from: CommentStatus | null = before?.status ?? null;
  if (from !== after.status) {
    uow.emit('comment.status', { siteId: after.site_id, threadId: after.thread_id, commentId: after.id, from, to: after.status });
  }
  return { ...after, seq };
}
