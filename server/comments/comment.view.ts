import type { z } from 'zod';
import type { Comment } from '../../db/schema';
import type { CommentViewSchema, CommentWithRepliesSchema } from './comment.schema';
import { isoOrNull } from '../clock';

/**
 * The public shape of a comment, as documented: its type is the schema's, so the two cannot drift
 * (the widget and the dashboard import it too).
 */
export type CommentView = z.output<typeof CommentViewSchema>;
/** A top-level comment of a thread page, with its first replies. */
export type CommentWithReplies = z.output<typeof CommentWithRepliesSchema>;

/** The fields of a view; `byAuthor`: seen by its author, the one reader who still sees what a moderator took down. */
function shapeOf(c: Comment, byAuthor: boolean): CommentView {
  const takenDown = c.status === 'rejected' || c.status === 'spam';
  const placeholder = c.status === 'deleted' || (takenDown && !byAuthor);
  return {
    id: c.id,
    threadId: c.thread_id,
    parentId: c.parent_id,
    replyToId: c.reply_to_id,
    depth: c.depth,
    author: placeholder
      ? { name: null, website: null, badge: null }
      : { name: c.author_name || 'Anonymous', website: c.author_website, badge: c.badge, ...(c.reader_badge ? { readerBadge: c.reader_badge } : {}) },
    bodyHtml: placeholder ? '' : c.body_html,
    createdAt: c.created_at.toISOString(),
    editedAt: isoOrNull(c.edited_at),
    status: c.status !== 'spam' ? c.status : placeholder ? 'rejected' : 'pending',
    featured: c.featured,
    reactionCount: c.reaction_count,
    replyCount: c.reply_count,
    seq: c.seq,
    ...(c.answer_id && !placeholder ? { answerId: c.answer_id } : {}),
  };
}

export interface ViewExtras {
  reacted?: boolean;
  flagged?: boolean;
  /** The site's edit window, to tell an author until when they may edit. */
  editWindowMinutes?: number;
}

/**
 * The one public shape of a comment, for responses and broadcasts alike. Never the email, network
 * hash, user agent or commenter id: those would link a pseudonymous reader's comments together.
 *
 * A comment classified as spam shows as `pending` to its author: telling a bot which of its tricks
 * was caught only teaches it the next one. A comment taken down (rejected or spam) that still holds
 * replies is, for everyone else, only their place — as a deleted one is for everyone: no author, no
 * words, and `rejected` either way, so nobody learns which of the two it was.
 */
export function commentView(c: Comment, viewerCommenterId?: string | null, extras: ViewExtras = {}): CommentView {
  const own = !!viewerCommenterId && c.commenter_id === viewerCommenterId;
  const view = shapeOf(c, own);
  if (own) {
    view.mine = true;
    if (extras.editWindowMinutes !== undefined && (c.status === 'approved' || c.status === 'pending' || c.status === 'spam')) {
      view.editableUntil = new Date(c.created_at.getTime() + extras.editWindowMinutes * 60_000).toISOString();
      view.bodySrc = c.body_src;
    }
  }
  if (extras.reacted) view.reacted = true;
  if (extras.flagged) view.flagged = true;
  return view;
}

/**
 * The comment as its author sees it, without what only a request knows (mine, likes, edit window):
 * for events only the author receives, and as the base of the moderators' view.
 */
export function authorView(c: Comment): CommentView {
  return shapeOf(c, true);
}

/**
 * What readers are told when a comment they could see leaves the public thread without being deleted
 * (an edit sent it back to moderation, a moderator took it down): its place, not its words or author.
 * `forAuthor`: the same news for its author alone, who is not told that their comment was spam.
 */
export function withdrawnView(c: Comment, forAuthor = false): CommentView {
  return { ...(forAuthor ? authorView(c) : commentView(c)), author: { name: null, website: null, badge: null }, bodyHtml: '' };
}
