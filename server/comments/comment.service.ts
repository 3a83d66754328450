import type { Comment, Commenter } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import * as commenterRepo from '../commenters/commenter.repo';
import { createCommenter } from '../commenters/commenter.service';
import { activeBanFor } from '../moderation/ban.service';
import { runPipeline } from '../moderation/pipeline';
import type { NetworkHasher } from '../privacy/network';
import { getSite } from '../sites/site.service';
import * as threadRepo from '../threads/thread.repo';
import { decodeCursor, encodeCursor } from './comment.cursor';
import { countLinks, plainText, renderBody } from './comment.render';
import * as repo from './comment.repo';
import type { CreateCommentInput, Sort } from './comment.schema';
import { type CommentView, commentView } from './comment.view';

export interface CommentDeps {
  db: Db;
  bus: EventBus;
  network: NetworkHasher;
}

/** Who is asking: a reader (maybe without identity yet) and what we may keep about their request. */
export interface ReaderActor {
  commenter: Commenter | null;
  ipHash: string | null;
  userAgent: string | null;
  /** The request's address, in memory only: network bans are checked against it; never stored. */
  ip?: string | null;
  /** A member posting through the moderation API: no commenter identity, their name and badge. */
  member?: { id: string; name: string; badge: string } | null;
}

const FIRST_REPLIES = 3;

export async function postComment(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
): Promise<{ comment: Comment; token?: string }> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  const site = await getSite(deps.db, thread.site_id);
  const { settings } = site;

  const member = actor.member ?? null;
  const name = member ? null : input.name || null;
  const email = member ? null : input.email || null;
  const fieldErrors = [];
  if (input.body.length > settings.maxBodyLength) {
    fieldErrors.push({ path: 'body', message: `must be at most ${settings.maxBodyLength} characters` });
  }
  if (!member) {
    if (settings.requireName && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required on this site' });
    if (settings.requireEmail && !email && !actor.commenter?.email) fieldErrors.push({ path: 'email', message: 'is required on this site' });
    if (!settings.allowAnonymous && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required: this site does not accept anonymous comments' });
  }
  if (fieldErrors.length) throw errors.validation('Some fields need attention.', fieldErrors);
  const ban = member ? null : await activeBanFor(deps, site.id, { commenterId: actor.commenter?.id ?? null, ip: actor.ip ?? null });

  const source = input.body.replace(/\r\n?/g, '\n').trim();
  const html = renderBody(source);

  return inTransaction(deps, async (uow) => {
    const { trx } = uow;
    const locked = await threadRepo.lockThread(trx, thread.id);
    if (!locked) throw errors.notFound('The thread');

    let parent: Comment | undefined;
    if (input.parentId) {
      parent = await repo.findComment(trx, input.parentId);
      const visibleToAuthor =
        parent && (parent.status === 'approved' || (parent.status === 'pending' && actor.commenter && parent.commenter_id === actor.commenter.id));
      if (!parent || parent.thread_id !== thread.id || !visibleToAuthor) throw errors.notFound('The comment you are replying to');
    }

    let commenter = actor.commenter;
    let token: string | undefined;
    const profile = { name, email, website: input.website ?? null };
    if (member) {
      commenter = null;
    } else if (!commenter) {
      ({ commenter, token } = await createCommenter(trx, profile));
    } else if (name || email || input.website) {
      commenter = await commenterRepo.updateProfile(trx, commenter.id, {
        ...(name ? { name } : {}),
        ...(email ? { email } : {}),
        ...(input.website ? { website: input.website } : {}),
      });
    }

    const verdict = runPipeline({
      site,
      thread: locked,
      body: { source, html, text: plainText(html), links: countLinks(html) },
      author: {
        isMember: !!member,
        approvedCount: token || !commenter ? 0 : await commenterRepo.approvedCount(trx, commenter.id, site.id),
        banned: !!ban,
        bannedUntil: ban?.expires_at ?? null,
      },
      form: { honeypot: input.hp, elapsedMs: input.elapsedMs },
      isEdit: false,
    });

    // A reply to a comment at the depth cap attaches beside it, keeping a link to what it answers.
    let parentId: string | null = parent?.id ?? null;
    let replyToId: string | null = null;
    let depth = parent ? parent.depth + 1 : 0;
    if (parent && depth > settings.maxDepth) {
      parentId = parent.parent_id;
      replyToId = parent.id;
      depth = parent.depth;
    }

    const seq = await threadRepo.nextSeq(trx, thread.id);
    const comment = await repo.insertComment(trx, {
      id: newId(),
      site_id: site.id,
      thread_id: thread.id,
      parent_id: parentId,
      reply_to_id: replyToId,
      root_id: parent ? (parent.root_id ?? parent.id) : null,
      depth,
      commenter_id: commenter?.id ?? null,
      member_id: member?.id ?? null,
      author_name: member ? member.name : (name ?? commenter?.name ?? null),
      author_website: member ? null : (input.website ?? commenter?.website ?? null),
      badge: member?.badge ?? null,
      body_src: source,
      body_html: html,
      status: verdict.status,
      previous_status: null,
      status_reason: verdict.reason,
      seq,
      ip_hash: actor.ipHash,
      user_agent: actor.userAgent?.slice(0, 400) ?? null,
    });

    if (comment.status === 'approved') {
      await threadRepo.addToCommentCount(trx, thread.id, 1);
      if (parentId) await repo.addToReplyCount(trx, parentId, 1);
    }
    const audience = comment.status === 'approved' ? null : (commenter?.id ?? null);
    const payload = { threadId: thread.id, seq, comment: commentView(comment) };
    await threadRepo.appendEvent(trx, { threadId: thread.id, seq, event: 'comment:created', payload, audience });
    uow.emit('thread.event', { siteId: site.id, threadId: thread.id, seq, event: 'comment:created', payload, audience });
    uow.emit('comment.status', { siteId: site.id, threadId: thread.id, commentId: comment.id, from: null, to: comment.status });
    return { comment, token };
  });
}

export interface CommentWithReplies extends CommentView {
  replies: { items: CommentView[]; total: number; nextCursor: string | null };
}

export async function listThreadComments(
  deps: { db: Db },
  viewerId: string | null,
  threadId: string,
  query: { sort: Sort; limit: number; cursor?: string },
): Promise<{ items: CommentWithReplies[]; nextCursor: string | null; seq: number }> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  const after = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
  const rows = await repo.listTopLevel(deps.db, thread.id, query.sort, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor({ sort: query.sort, createdAt: last.created_at.toISOString(), id: last.id, reactions: last.reaction_count })
      : null;

  const replies = await repo.firstReplies(
    deps.db,
    page.filter((c) => c.reply_count > 0).map((c) => c.id),
    FIRST_REPLIES + 1,
  );
  const byParent = new Map<string, Comment[]>();
  for (const r of replies) {
    const list = byParent.get(r.parent_id!) ?? [];
    list.push(r);
    byParent.set(r.parent_id!, list);
  }
  const items = page.map((c) => {
    const own = byParent.get(c.id) ?? [];
    const shown = own.slice(0, FIRST_REPLIES);
    const lastReply = shown[shown.length - 1];
    return {
      ...commentView(c, viewerId),
      replies: {
        items: shown.map((r) => commentView(r, viewerId)),
        total: c.reply_count,
        nextCursor:
          own.length > FIRST_REPLIES && lastReply
            ? encodeCursor({ sort: 'oldest', createdAt: lastReply.created_at.toISOString(), id: lastReply.id })
            : null,
      },
    };
  });
  return { items, nextCursor, seq: thread.seq };
}
