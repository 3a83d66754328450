import type { Comment } from '../../db/schema';
import * as commentRepo from '../comments/comment.repo';
import { authorView } from '../comments/comment.view';
import type { Executor } from '../db';
import * as pollRepo from '../polls/poll.repo';
import { pollView } from '../polls/poll.view';
import * as threadRepo from '../threads/thread.repo';
import { threadView } from '../threads/thread.view';

/** The event types of SPEC §10, in the order the docs list them. */
export const EVENT_TYPES = [
  'comment.created',
  'comment.approved',
  'comment.rejected',
  'comment.spam',
  'comment.edited',
  'comment.deleted',
  'comment.flagged',
  'comment.featured',
  'thread.created',
  'thread.closed',
  'thread.reopened',
  'poll.closed',
  'ban.created',
  'commenter.erased',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about: the id its data is rendered from, now or when sent again. */
export interface Subject {
  type: EventType;
  siteId: string;
  threadId: string | null;
  id: string;
  commenterId: string | null;
  /** What only the event knows (a flag's count, a ban's expiry): kept with it. */
  extra?: Record<string, unknown>;
  /** A comment's status as the event knew it (a new comment's row may not be written yet). */
  status?: string;
}

/**
 * The comment as the site's own server may see it: the words and author an author sees (a pending
 * or taken-down comment still has them), with its true status. Never the email, network hash, user
 * agent or token: the public view's fields only.
 */
export function webhookComment(c: Comment) {
  const { mine: _mine, editableUntil: _until, bodySrc: _src, ...view } = authorView(c);
  return { ...view, status: c.status };
}

/** The reader a comment event concerns (never sent: it ties the row to them for export and erasure). */
export async function commenterOf(db: Executor, s: Subject): Promise<string | null> {
  if (s.commenterId || !s.type.startsWith('comment.')) return s.commenterId;
  return (await commentRepo.findComment(db, s.id))?.commenter_id ?? null;
}

/** A comment event's `data`, from its comment's row as read now; null when the comment is gone. */
export function commentData(c: Comment | undefined, s: Subject): Record<string, unknown> | null {
  return c ? { comment: webhookComment(c), ...s.extra } : null;
}

/** The event's `data`, rendered from the current rows; null when its subject is gone. */
export async function renderData(db: Executor, s: Subject): Promise<Record<string, unknown> | null> {
  if (s.type.startsWith('comment.')) return commentData(await commentRepo.findComment(db, s.id), s);
  if (s.type.startsWith('thread.')) {
    const t = await threadRepo.findThread(db, s.id);
    return t ? { thread: threadView(t) } : null;
  }
  if (s.type === 'poll.closed') {
    const poll = await pollRepo.findPoll(db, s.id);
    if (!poll) return null;
    const options = await pollRepo.optionsOf(db, [poll.id]);
    const tally = await pollRepo.tally(db, poll.id);
    return { poll: pollView(poll, options, tally, null) };
  }
  if (s.type === 'ban.created') return { ban: { id: s.id, siteId: s.siteId, commenterId: s.commenterId, ...s.extra } };
  return { commenter: { id: s.id }, siteId: s.siteId };
}
