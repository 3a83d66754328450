import crypto from 'node:crypto';
import type { Comment, Commenter } from '../../db/schema';
import { type Db, inTransaction, type Tx } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import * as commenterRepo from '../commenters/commenter.repo';
import { createCommenter } from '../commenters/commenter.service';
import type { FloodGuard } from '../limits/flood';
import { activeBanFor } from '../moderation/ban.service';
import { runPipeline } from '../moderation/pipeline';
import type { NetworkHasher } from '../privacy/network';
import { getSite, type SiteWithSettings } from '../sites/site.service';
import * as threadRepo from '../threads/thread.repo';
import { applyCounters, recordChange } from './comment.changes';
import { countLinks, plainText, renderBody } from './comment.render';
import * as repo from './comment.repo';
import type { CreateCommentInput } from './comment.schema';

export interface CommentDeps {
  db: Db;
  bus: EventBus;
  limits: FloodGuard;
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

/** Runs inside the write's transaction, just before it commits (the idempotency record). */
export type BeforeCommit<R> = (trx: Tx, result: R) => Promise<void>;

export interface PostResult {
  comment: Comment;
  token?: string;
  site: SiteWithSettings;
}

/** A body as stored: newlines normalised, outer whitespace trimmed. */
export function normaliseSource(body: string): string {
  return body.replace(/\r\n?/g, '\n').trim();
}

/** The duplicate check's view of a text: case, spacing and markup do not make it new. */
export function textHash(html: string): string {
  const text = plainText(html).toLowerCase().replace(/\s+/g, ' ').trim();
  return crypto.createHash('sha256').update(text).digest('base64url');
}

export function bodyTooLong(source: string, site: SiteWithSettings) {
  return source.length > site.settings.maxBodyLength
    ? { path: 'body', message: `must be at most ${site.settings.maxBodyLength} characters` }
    : null;
}

export const duplicateError = () =>
  errors.conflict('duplicate_comment', 'You already posted this comment in this thread.');

export async function postComment(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
  beforeCommit?: BeforeCommit<PostResult>,
): Promise<PostResult> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  const site = await getSite(deps.db, thread.site_id);
  const { settings } = site;

  const member = actor.member ?? null;
  const name = member ? null : input.name || null;
  const email = member ? null : input.email || null;
  const source = normaliseSource(input.body);
  const fieldErrors = [];
  const tooLong = bodyTooLong(source, site);
  if (tooLong) fieldErrors.push(tooLong);
  if (!member) {
    if (settings.requireName && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required on this site' });
    if (settings.requireEmail && !email && !actor.commenter?.email) fieldErrors.push({ path: 'email', message: 'is required on this site' });
    if (!settings.allowAnonymous && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required: this site does not accept anonymous comments' });
  }
  if (fieldErrors.length) throw errors.validation('Some fields need attention.', fieldErrors);

  const ban = member ? null : await activeBanFor(deps, site.id, { commenterId: actor.commenter?.id ?? null, ip: actor.ip ?? null });

  const html = renderBody(source);
  const hash = textHash(html);
  // A repeated post is answered before it spends the reader's flood budget (checked again under lock).
  const duplicate = { threadId: thread.id, textHash: hash, commenterId: actor.commenter?.id ?? null, ipHash: actor.ipHash };
  if (await repo.findDuplicate(deps.db, duplicate)) throw duplicateError();
  // Staff are not flood-limited; a banned reader is refused by the pipeline before spending budget.
  if (!member && !ban) await deps.limits.consume('comment', { commenterId: actor.commenter?.id ?? null, network: actor.ipHash });

  const result = await inTransaction(deps, async (uow) => {
    const { trx } = uow;
    // Every post to a thread queues here, so the duplicate check and the counters are exact.
    const locked = await threadRepo.lockThread(trx, thread.id);
    if (!locked) throw errors.notFound('The thread');

    let parent: Comment | undefined;
    if (input.parentId) {
      parent = await repo.findComment(trx, input.parentId);
      const visibleToAuthor =
        parent && (parent.status === 'approved' || (parent.status === 'pending' && actor.commenter && parent.commenter_id === actor.commenter.id));
      if (!parent || parent.thread_id !== thread.id || !visibleToAuthor) throw errors.notFound('The comment you are replying to');
    }

    if (await repo.findDuplicate(trx, duplicate)) throw duplicateError();

    const verdict = runPipeline({
      site,
      thread: locked,
      body: { source, html, text: plainText(html), links: countLinks(html) },
      author: {
        isMember: !!member,
        approvedCount: actor.commenter ? await commenterRepo.approvedCount(trx, actor.commenter.id, site.id) : 0,
        banned: !!ban,
        bannedUntil: ban?.expires_at ?? null,
      },
      form: { honeypot: input.hp, elapsedMs: input.elapsedMs },
      isEdit: false,
    });

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

    // A reply to a comment at the depth cap attaches beside it, keeping a link to what it answers.
    let parentId: string | null = parent?.id ?? null;
    let replyToId: string | null = null;
    let depth = parent ? parent.depth + 1 : 0;
    if (parent && depth > settings.maxDepth) {
      parentId = parent.parent_id;
      replyToId = parent.id;
      depth = parent.depth;
    }

    const inserted = await repo.insertComment(trx, {
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
      text_hash: hash,
      status: verdict.status,
      previous_status: null,
      status_reason: verdict.reason,
      ip_hash: actor.ipHash,
      user_agent: actor.userAgent?.slice(0, 400) ?? null,
    });
    // Counted as if it had existed before as nothing: approved adds to the thread and its parent.
    const nothing = { ...inserted, status: 'rejected' as const, reply_count: 0 };
    await applyCounters(uow, nothing, inserted);
    const comment = await recordChange(uow, 'created', null, inserted);
    const posted: PostResult = { comment, token, site };
    await beforeCommit?.(trx, posted);
    return posted;
  });
  // A first post was counted against its network only; the new identity starts with it counted too.
  if (result.token && result.comment.commenter_id) {
    await deps.limits.consume('comment', { commenterId: result.comment.commenter_id, network: null }).catch(() => {});
  }
  return result;
}
