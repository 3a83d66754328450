import type { Comment } from '../../db/schema';
import type { ReaderActor } from '../actors';
import type { Db } from '../db';
import { errors } from '../errors';
import { flaggedAmong } from '../flags/flag.repo';
import { shownVotes } from '../polls/shown-vote.service';
import { reactedAmong } from '../reactions/reaction.repo';
import { getSite } from '../sites/site.service';
import * as threadRepo from '../threads/thread.repo';
import { canSee } from './comment.changes';
import type { CommentPageCache } from './comment-page.cache';
import { decodeCursor, encodeCursor } from './comment.cursor';
import * as listRepo from './comment-list.repo';
import * as repo from './comment.repo';
import type { CommentFilter, Sort } from './comment.schema';
import { type CommentView, type CommentWithReplies, commentView } from './comment.view';

const FIRST_REPLIES = 3;

/**
 * Turns rows into views for one caller: what they wrote, liked and reported, and their edit window;
 * and, for everyone, the poll choice of authors who chose to show it (one query per page).
 */
async function viewer(db: Db, viewerId: string | null, rows: Comment[], editWindowMinutes?: number) {
  const ids = rows.map((r) => r.id);
  const [reacted, flagged, votes] = await Promise.all([
    viewerId ? reactedAmong(db, viewerId, ids) : new Set<string>(),
    viewerId ? flaggedAmong(db, viewerId, ids) : new Set<string>(),
    shownVotes(db, rows),
  ]);
  return (c: Comment) => {
    const view = commentView(c, viewerId, { reacted: reacted.has(c.id), flagged: flagged.has(c.id), editWindowMinutes });
    const vote = votes.get(c.id);
    return vote ? { ...view, vote } : view;
  };
}

/** `halves`: the full list of a Q&A thread, answered questions first (the cursor says which half). */
const nextCursorOf = (rows: Comment[], limit: number, sort: Sort, halves = false): string | null => {
  const last = rows[limit - 1];
  return rows.length > limit && last
    ? encodeCursor({
        sort,
        createdAt: last.created_at.toISOString(),
        id: last.id,
        reactions: last.reaction_count,
        ...(halves ? { half: isAnswered(last) ? 'a' : 'u' } : {}),
      })
    : null;
};

const isAnswered = (c: Comment) => c.answer_id !== null && c.status === 'approved' && c.parent_id === null;

export interface ListQuery {
  sort: Sort;
  limit: number;
  cursor?: string;
  filter?: CommentFilter;
}

/** Whether a list is a Q&A thread's full list, answered questions first. */
const inHalves = (format: string, query: ListQuery) => format === 'qa' && !query.filter;

/**
 * The top-level rows of a page, one more than its limit when there is a next page: the picks, one
 * half of a Q&A thread's questions, both halves in turn (answered first, each its own keyset walk),
 * or the thread's comments.
 */
async function topRows(db: Db, thread: { id: string; format: string }, query: ListQuery, viewerId: string | null): Promise<Comment[]> {
  const after = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
  const n = query.limit + 1;
  if (query.filter === 'featured') return listRepo.featuredQuery(db, thread.id, query.sort, n, after).execute();
  if (query.filter) return listRepo.listQuestions(db, thread.id, query.filter === 'answered', query.sort, n, after, viewerId);
  if (thread.format !== 'qa') return listRepo.listTopLevel(db, thread.id, query.sort, n, after, viewerId);
  const answered = after?.half === 'u' ? [] : await listRepo.listQuestions(db, thread.id, true, query.sort, n, after, viewerId);
  if (answered.length === n) return answered;
  const rest = await listRepo.listQuestions(db, thread.id, false, query.sort, n - answered.length, after?.half === 'u' ? after : undefined, viewerId);
  return [...answered, ...rest];
}

/** The first replies of a page's comments (none for picks), and the answer of each answered question. */
async function repliesOf(db: Db, rows: Comment[], query: ListQuery, viewerId: string | null): Promise<Comment[]> {
  if (query.filter === 'featured') return [];
  const page = rows.slice(0, query.limit);
  // A reader with an identity may have pending replies under any comment, so ask for all of them.
  const parents = viewerId ? page : page.filter((c) => c.reply_count > 0);
  const replies = await listRepo.firstReplies(db, parents.map((c) => c.id), FIRST_REPLIES + 1, viewerId);
  const have = new Set(replies.map((r) => r.id));
  const missing = page.filter((c) => isAnswered(c) && !have.has(c.answer_id!)).map((c) => c.answer_id!);
  return [...replies, ...(await listRepo.answersOf(db, missing))];
}

export interface ThreadPage {
  items: CommentWithReplies[];
  nextCursor: string | null;
  seq: number;
}

const byParentOf = (replies: Comment[]) => {
  const byParent = new Map<string, Comment[]>();
  for (const r of replies) {
    const list = byParent.get(r.parent_id!) ?? [];
    list.push(r);
    byParent.set(r.parent_id!, list);
  }
  return byParent;
};

function pageOf(
  view: (c: Comment) => CommentView,
  seq: number,
  rows: Comment[],
  replies: Comment[],
  query: ListQuery,
  format: string,
): ThreadPage {
  const byParent = byParentOf(replies);
  const items = rows.slice(0, query.limit).map((c) => {
    let own = byParent.get(c.id) ?? [];
    // An answered question shows its answer first, whenever it was written.
    const answer = isAnswered(c) ? own.find((r) => r.id === c.answer_id) : undefined;
    if (answer) own = own.filter((r) => r !== answer);
    const first = own.slice(0, FIRST_REPLIES);
    return {
      ...view(c),
      replies: { items: (answer ? [answer, ...first] : first).map(view), total: c.reply_count, nextCursor: nextCursorOf(own, FIRST_REPLIES, 'oldest') },
    };
  });
  return { items, nextCursor: nextCursorOf(rows, query.limit, query.sort, inHalves(format, query)), seq };
}

/** Rows to the page one caller sees: their likes, reports and edit window added to each view. */
async function assemble(
  db: Db,
  viewerId: string | null,
  siteId: string,
  seq: number,
  rows: Comment[],
  replies: Comment[],
  query: ListQuery,
  format: string,
): Promise<ThreadPage> {
  const editWindow = viewerId ? (await getSite(db, siteId)).settings.editWindowMinutes : undefined;
  const view = await viewer(db, viewerId, [...rows.slice(0, query.limit), ...replies], editWindow);
  return pageOf(view, seq, rows, replies, query, format);
}

/** The public rows of a page: what every reader without pending comments of their own sees. */
async function publicRows(db: Db, thread: { id: string; format: string }, query: ListQuery) {
  const rows = await topRows(db, thread, query, null);
  const replies = await repliesOf(db, rows, query, null);
  const votes = await shownVotes(db, [...rows.slice(0, query.limit), ...replies]);
  return { rows, replies, votes };
}

export async function listThreadComments(
  deps: { db: Db },
  viewerId: string | null,
  threadId: string,
  query: ListQuery,
): Promise<ThreadPage> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  const rows = await topRows(deps.db, thread, query, viewerId);
  const replies = await repliesOf(deps.db, rows, query, viewerId);
  return assemble(deps.db, viewerId, thread.site_id, thread.seq, rows, replies, query, thread.format);
}

/**
 * A thread page through the page cache. A reader without pending comments in the thread gets the
 * public rows (cached per thread clocks) with their own likes and edit window added; a reader with
 * pending ones gets the uncached page, merged with them. `body` is set for an anonymous reader:
 * the serialised response, shared by every anonymous reader of this version, with its ETag.
 */
export async function cachedThreadPage(
  deps: { db: Db; pages: CommentPageCache },
  viewerId: string | null,
  threadId: string,
  query: ListQuery,
): Promise<{ page?: ThreadPage; body?: string; etag?: string }> {
  const head = await deps.pages.head(deps.db, threadId);
  if (!head) throw errors.notFound('The thread');
  if (viewerId && (await listRepo.hasOwnPending(deps.db, head.id, viewerId))) {
    return { page: await listThreadComments(deps, viewerId, threadId, query) };
  }
  const key = `${query.sort}|${query.limit}|${query.cursor ?? ''}|${query.filter ?? ''}`;
  const { page: rows } = await deps.pages.page(head, key, () => publicRows(deps.db, head, query));
  if (viewerId) return { page: await assemble(deps.db, viewerId, head.siteId, head.seq, rows.rows, rows.replies, query, head.format) };
  const anonymous = (c: Comment) => {
    const vote = rows.votes.get(c.id);
    return vote ? { ...commentView(c), vote } : commentView(c);
  };
  const body = deps.pages.body(head, key, () => pageOf(anonymous, head.seq, rows.rows, rows.replies, query, head.format));
  return { body, etag: deps.pages.etag(head, key) };
}

/** A comment the caller may see, or 404: a hidden comment is indistinguishable from none. */
export async function visibleComment(db: Db, viewerId: string | null, id: string): Promise<Comment> {
  const comment = await repo.findComment(db, id);
  if (!comment || !canSee(comment, viewerId)) throw errors.notFound('The comment');
  return comment;
}

/** Reactions and reports are about what everyone can read: a published comment. */
export async function openComment(deps: { db: Db }, actor: ReaderActor, id: string, verb: string): Promise<Comment> {
  const comment = await visibleComment(deps.db, actor.commenter?.id ?? null, id);
  if (comment.status !== 'approved') throw errors.conflict('comment_not_published', `Only a published comment can be ${verb}.`);
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
