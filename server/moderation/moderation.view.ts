import type { Comment } from '../../db/schema';
import { authorView } from '../comments/comment.view';

/** A comment as moderators see it: its author's view plus what they need to decide. */
export function moderationCommentView(c: Comment) {
  return {
    // The author's view: a rejected comment's words are shown to moderators too (the public sees only
    // its place). It shows spam as "pending" (a spammer is not told); moderators see the truth.
    ...authorView(c),
    status: c.status,
    siteId: c.site_id,
    bodySrc: c.body_src,
    /** Send it back with a decision: a decision on a comment that changed since is a 409. */
    version: c.mod_version,
    flagCount: c.flag_count,
    openFlags: Math.max(0, c.flag_count - c.flags_cleared),
    statusReason: c.status_reason,
    /** The abuse signals' risk (0–1) and why; null when not assessed (staff, imports, older comments). */
    risk: c.risk ?? null,
    riskReasons: Array.isArray(c.risk_reasons) ? c.risk_reasons : [],
    previousStatus: c.previous_status,
    commenterId: c.commenter_id,
    memberId: c.member_id,
  };
}
export type ModerationCommentView = ReturnType<typeof moderationCommentView>;

