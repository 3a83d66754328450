import type { Comment } from '../../db/schema';
import { authorView } from '../comments/comment.view';
import type { Db } from '../db';
import { errors } from '../errors';
import { authorize, type StaffActor } from '../members/permissions';
import { getSite } from '../sites/site.service';
import { threadView } from '../threads/thread.view';
import { bannedAmong } from './ban.repo';
import { decodeKeyset, encodeKeyset } from '../keyset';
import type { Queue } from './moderation.schema';
import { moderationCommentView } from './moderation.view';
import * as repo from './queue.repo';

export async function queueCounts(deps: { db: Db }, actor: StaffActor, siteId: string) {
  authorize(actor, siteId, 'moderate');
  const site = await getSite(deps.db, siteId);
  return repo.queueCounts(deps.db, site.id, site.settings.flagThreshold);
}

export async function listQueue(
  deps: { db: Db },
  actor: StaffActor,
  query: { site: string; queue: Queue; threadId?: string; limit: number; cursor?: string; sort?: 'newest' | 'risk' },
) {
  authorize(actor, query.site, 'moderate');
  const site = await getSite(deps.db, query.site);
  const byRisk = query.sort === 'risk';
  // A risk-sorted page boundary is a keyset too: `(risk, id)`, with the risk where the time would be.
  const cursor = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const afterRisk = byRisk && cursor ? { risk: riskOfCursor(cursor.createdAt), id: cursor.id } : undefined;
  const rows = await repo.listQueue(deps.db, {
    siteId: site.id,
    queue: query.queue,
    threshold: site.settings.flagThreshold,
    threadId: query.threadId,
    limit: query.limit + 1,
    after: byRisk ? undefined : cursor,
    afterRisk,
    byRisk,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const boundary = last && (byRisk ? new Date(Math.round(((last.risk ?? -1) + 2) * 1e6)).toISOString() : last.created_at.toISOString());
  return {
    items: await withContext(deps.db, site.id, page),
    nextCursor: rows.length > query.limit && last ? encodeKeyset({ createdAt: boundary!, id: last.id }) : null,
  };
}

/** The risk a risk-sorted cursor carries (kept as a time, so both sorts share one cursor format). */
function riskOfCursor(stamp: string): number {
  return Date.parse(stamp) / 1e6 - 2;
}

/** One comment with its context, wherever it stands (the dashboard's "comment in context"). */
export async function moderationComment(deps: { db: Db }, actor: StaffActor, commentId: string) {
  const [comment] = await repo.commentsByIds(deps.db, [commentId]);
  if (!comment) throw errors.notFound('The comment');
  authorize(actor, comment.site_id, 'moderate', 'The comment');
  const [item] = await withContext(deps.db, comment.site_id, [comment]);
  return item!;
}

const RECENT_FLAGS = 5;

/**
 * Everything a moderator needs beside each comment — its thread, the comment it answers, its
 * flags, and its author's record on the site (with email) — in a fixed handful of queries for the
 * whole page, however long.
 */
export async function withContext(db: Db, siteId: string, comments: Comment[]) {
  const ids = comments.map((c) => c.id);
  const commenterIds = [...new Set(comments.map((c) => c.commenter_id).filter((id): id is string => !!id))];
  const memberIds = [...new Set(comments.map((c) => c.member_id).filter((id): id is string => !!id))];
  const [threads, parents, commenters, members, histories, flags, banned] = await Promise.all([
    repo.threadsByIds(db, [...new Set(comments.map((c) => c.thread_id))]),
    repo.commentsByIds(db, [...new Set(comments.map((c) => c.parent_id).filter((id): id is string => !!id))]),
    repo.commentersByIds(db, commenterIds),
    repo.membersByIds(db, memberIds),
    repo.histories(db, siteId, commenterIds),
    repo.flagsOf(db, ids, RECENT_FLAGS),
    bannedAmong(db, siteId, commenterIds),
  ]);
  const threadById = new Map(threads.map((t) => [t.id, t]));
  const parentById = new Map(parents.map((p) => [p.id, p]));
  const commenterById = new Map(commenters.map((c) => [c.id, c]));
  const memberById = new Map(members.map((m) => [m.id, m]));

  return comments.map((c) => {
    const thread = threadById.get(c.thread_id);
    const parent = c.parent_id ? parentById.get(c.parent_id) : undefined;
    const commenter = c.commenter_id ? commenterById.get(c.commenter_id) : undefined;
    const member = c.member_id ? memberById.get(c.member_id) : undefined;
    const history = { approved: 0, pending: 0, rejected: 0, spam: 0, deleted: 0 };
    for (const h of histories) if (h.commenter_id === c.commenter_id) history[h.status] = Number(h.n);
    return {
      comment: moderationCommentView(c),
      thread: thread ? threadView(thread) : null,
      parent: parent ? authorView(parent) : null,
      flags: {
        count: c.flag_count,
        open: Math.max(0, c.flag_count - c.flags_cleared),
        reasons: Object.fromEntries(flags.reasons.filter((r) => r.comment_id === c.id).map((r) => [r.reason, Number(r.n)])),
        recent: flags.recent
          .filter((f) => f.comment_id === c.id)
          .map((f) => ({ reason: f.reason, note: f.note, createdAt: f.created_at.toISOString() })),
      },
      commenter: commenter
        ? {
            id: commenter.id,
            name: commenter.name,
            email: commenter.email,
            website: commenter.website,
            since: commenter.created_at.toISOString(),
            erased: !!commenter.erased_at,
            banned: banned.has(commenter.id),
            history,
          }
        : null,
      member: member ? { id: member.id, name: member.name, email: member.email, badge: c.badge } : null,
    };
  });
}
