import type { Comment } from '../../db/schema';

export interface CommentView {
  id: string;
  threadId: string;
  parentId: string | null;
  replyToId: string | null;
  depth: number;
  author: { name: string | null; website: string | null; badge: string | null };
  bodyHtml: string;
  createdAt: string;
  editedAt: string | null;
  status: Comment['status'];
  featured: boolean;
  reactionCount: number;
  replyCount: number;
  seq: number;
  mine?: true;
}

/**
 * The one public shape of a comment, for responses and broadcasts alike. Never the email, network
 * hash, user agent or commenter id: those would link a pseudonymous reader's comments together.
 */
export function commentView(c: Comment, viewerCommenterId?: string | null): CommentView {
  const removed = c.status === 'deleted';
  const view: CommentView = {
    id: c.id,
    threadId: c.thread_id,
    parentId: c.parent_id,
    replyToId: c.reply_to_id,
    depth: c.depth,
    author: removed
      ? { name: null, website: null, badge: null }
      : { name: c.author_name || 'Anonymous', website: c.author_website, badge: c.badge },
    bodyHtml: removed ? '' : c.body_html,
    createdAt: c.created_at.toISOString(),
    editedAt: c.edited_at ? c.edited_at.toISOString() : null,
    status: c.status,
    featured: c.featured,
    reactionCount: c.reaction_count,
    replyCount: c.reply_count,
    seq: c.seq,
  };
  if (viewerCommenterId && c.commenter_id === viewerCommenterId) view.mine = true;
  return view;
}
