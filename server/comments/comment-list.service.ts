import type { Comment } from '../../db/schema';
import type { Db } from '../db';
import { errors } from '../errors';
import { flaggedAmong } from '../flags/flag.repo';
import { reactedAmong } from '../reactions/reaction.repo';
import { getSite } from '../sites/site.service';
import * as threadRepo from '../threads/thread.repo';
import { canSee } from './comment.changes';
import { decodeCursor, encodeCursor } from './comment.cursor';
import * as listRepo from './comment-list.repo';
import * as repo from './comment.repo';
import type { Sort } from './comment.schema';
import { type CommentView, commentView } from './comment.view';

const FIRST_REPLIES = 3;

export interface CommentWithReplies extends CommentView {
  replies: { items: CommentView[]; total: number; nextCursor: string | null };
}

/** Turns rows into views for one caller: what they wrote, liked and reported, and their edit window. */
async function viewer(db: Db, viewerId: string | null, rows: Comment[], editWindowMinutes?: number) {
  const ids = rows.map((r) => r.id);
  const [reacted, flagged] = viewerId
    ? await Promise.all([reactedAmong(db, viewerId, ids), flaggedAmong(db, viewerId, ids)])
    : [new Set<string>(), new Set<string>()];
  return (c: Comment) => commentView(c, viewerId, { reacted: reacted.has(c.id), flagged: flagged.has(c.id), editWindowMinutes });
}

const nextCursorOf = (rows: Comment[], limit: number, sort: Sort): string | null => {
  const last = rows[limit - 1];
  return rows.length > limit && last
    ? encodeCursor({ sort, createdAt: last.created_at.toISOString(), id: last.id, reactions: last.reaction_count })
    : null;
};

export async function listThreadComments(
  deps: { db: Db },
  viewerId: string | null,
  threadId: string,
  query: { sort: Sort; limit: number; cursor?: string },
): Promise<{ items: CommentWithReplies[]; nextCursor: string | null; seq: number }> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  const after = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
  const rows = await listRepo.listTopLevel(deps.db, thread.id, query.sort, query.limit + 1, after, viewerId);
  const page = rows.slice(0, query.limit);

  // A reader with an identity may have pending replies under any comment, so ask for all of them.
  const parents = viewerId ? page : page.filter((c) => c.reply_count > 0);
  const replies = await listRepo.firstReplies(deps.db, parents.map((c) => c.id), FIRST_REPLIES + 1, viewerId);
  const byParent = new Map<string, Comment[]>();
  for (const r of replies) {
    const list = byParent.get(r.parent_id!) ?? [];
    list.push(r);
    byParent.set(r.parent_id!, list);
  }
  const editWindow = viewerId ? (await getSite(deps.db, thread.site_id)).settings.editWindowMinutes : undefined;
  const view = await viewer(deps.db, viewerId, [...page, ...replies], editWindow);
  const items = page.map((c) => {
    const own = byParent.get(c.id) ?? [];
    return {
      ...view(c),
      replies: { items: own.slice(0, FIRST_REPLIES).map(view), total: c.reply_count, nextCursor: nextCursorOf(own, FIRST_REPLIES, 'oldest') },
    };
  });
  return { items, nextCursor: nextCursorOf(rows, query.limit, query.sort), seq: thread.seq };
}

/** A comment the caller may see, or 404: a hidden comment is indistinguishable from none. */
export async function visibleComment(db: Db, viewerId: string | null, id: string): Promise<Comment> {
  const comment = await repo.findComment(db, id);
  if (!comment || !canSee(comment, viewerId)) throw errors.notFound('The comment');
  return comment;
}

export async function getPermalink(
  deps: { db: Db },
  viewerId: string | null,
  id: string,
): Promise<{ comment: CommentView; parentIds: string[] }> {
  const comment = await visibleComment(deps.db, viewerId, id);
  const [parentIds, site] = await Promise.all([repo.ancestorIds(deps.db, comment.id), getSite(deps.db, comment.site_id)]);
  const view = await viewer(deps.db, viewerId, [comment], site.settings.editWindowMinutes);
  return { comment: view(comment), parentIds };
}

export async function listCommentReplies(
  deps: { db: Db },
  viewerId: string | null,
  id: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: CommentView[]; nextCursor: string | null }> {
  const parent = await visibleComment(deps.db, viewerId, id);
  const after = query.cursor ? decodeCursor(query.cursor, 'oldest') : undefined;
  const rows = await listRepo.listReplies(deps.db, parent.id, query.limit + 1, after, viewerId);
  const page = rows.slice(0, query.limit);
  const editWindow = viewerId ? (await getSite(deps.db, parent.site_id)).settings.editWindowMinutes : undefined;
  const view = await viewer(deps.db, viewerId, page, editWindow);
  return { items: page.map(view), nextCursor: nextCursorOf(rows, query.limit, 'oldest') };
}
