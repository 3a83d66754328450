import type { Comment } from '../../db/schema';
import { type CommentView, commentView } from '../comments/comment.view';

/** A comment as moderators see it: the public view plus what they need to decide. */
export function moderationCommentView(c: Comment) {
  return {
    ...commentView(c),
    // The public view shows spam to its author as "pending" (a spammer is not told); moderators see the truth.
    status: c.status,
    siteId: c.site_id,
    bodySrc: c.body_src,
    /** Send it back with a decision: a decision on a comment that changed since is a 409. */
    version: c.mod_version,
    flagCount: c.flag_count,
    openFlags: Math.max(0, c.flag_count - c.flags_cleared),
    statusReason: c.status_reason,
    previousStatus: c.previous_status,
    commenterId: c.commenter_id,
    memberId: c.member_id,
  };
}
export type ModerationCommentView = ReturnType<typeof moderationCommentView>;

/** What readers are told about a comment taken down: that it went, not what it said or who wrote it. */
export function removedView(c: Comment): CommentView {
  return { ...commentView(c), author: { name: null, website: null, badge: null }, bodyHtml: '' };
}
