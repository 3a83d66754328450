import type { Comment } from '../../db/schema';
import type { ReaderActor } from '../actors';
import type { Db, Tx } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { hashSecret, newId, newSecret, sha256 } from '../ids';
import * as commenterRepo from '../commenters/commenter.repo';
import type { FloodGuard } from '../limits/flood';
import { claimLost, deferSeals, type EarlyClaim, sealedStatement } from '../idempotency/idempotency.service';
import { banForPost } from '../moderation/ban.service';
import { runPipeline } from '../moderation/pipeline';
import type { NetworkHasher } from '../privacy/network';
import { type SiteWithSettings, withSettings } from '../sites/site.service';
import { shownVoteOf } from '../polls/shown-vote.service';
import { announceStatus, applyReplyCounters, creationEvent } from './comment.changes';
import { recordWrittenThreadEvent } from '../threads/thread.events';
import { createThreadWriter, refusal } from './thread-writer';
import { countLinks, plainText, renderBody } from './comment.render';
import * as repo from './comment.repo';
import { readPostContext } from './post-context.repo';
import type { CreateCommentInput } from './comment.schema';
import type { ThreadWriter } from './thread-writer';

/** New comments, written in batches per thread (see thread-writer.ts and planClaimingThread). */
export type PostWriter = ThreadWriter<repo.ClaimingInsert, repo.Claimed>;

export const createPostWriter = (deps: Pick<CommentDeps, 'db' | 'bus'>, options: { oneTripCommit?: boolean } = {}): PostWriter =>
  createThreadWriter(
    deps,
    {
      lock: (trx, threadId) => {
        // The batch's idempotency records are stored together, with its commit (see settle).
        deferSeals(trx);
        return repo.lockThread(trx, threadId);
      },
      plan: repo.planClaimingThread,
      writesMore: (insert) => insert.writesMore,
      refusedBy: repo.duplicatesFound,
      refusedError: () => refusal(duplicateError()),
      settle: sealedStatement,
      failure: claimLost,
      // The batch's comments are written together or not at all: its first one tells.
      committed: async (db, outcomes) => {
        const first = outcomes.find((o): o is Extract<repo.Claimed, { comment: unknown }> => 'comment' in o);
        return first !== undefined && (await repo.findComment(db, first.comment.id)) !== undefined;
      },
    },
    options,
  );

export interface CommentDeps {
  db: Db;
  bus: EventBus;
  limits: FloodGuard;
  network: NetworkHasher;
  /** Group commit of posts per thread (see thread-writer.ts); without it, a transaction per post. */
  writer?: PostWriter;
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

/**
 * The duplicate check's view of a text: case, spacing and markup do not make it new. `text` is
 * `plainText(html)`, passed when the caller has it already.
 */
export function textHash(html: string, text = plainText(html)): string {
  const words = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return sha256(words, 'base64url');
}

export function bodyTooLong(source: string, site: SiteWithSettings) {
  return source.length > site.settings.maxBodyLength
    ? { path: 'body', message: `must be at most ${site.settings.maxBodyLength} characters` }
    : null;
}

export const duplicateError = () =>
  errors.conflict('duplicate_comment', 'You already posted this comment in this thread.');

/** The thread changed under a post between its first read and its lock: the post starts over. */
class ThreadChanged extends Error {}

export async function postComment(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
  beforeCommit?: BeforeCommit<PostResult>,
  /** The request's idempotency claim, taken in the post's first read (see EarlyClaim). */
  claim?: EarlyClaim,
): Promise<PostResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await postOnce(deps, actor, threadId, input, beforeCommit, claim);
    } catch (err) {
      if (!(err instanceof ThreadChanged) || attempt >= 2) throw err;
    }
  }
}

async function postOnce(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
  beforeCommit?: BeforeCommit<PostResult>,
  claim?: EarlyClaim,
): Promise<PostResult> {
  const member = actor.member ?? null;
  const name = member ? null : input.name || null;
  const email = member ? null : input.email || null;
  const source = normaliseSource(input.body);
  const html = renderBody(source);
  const text = plainText(html);
  const hash = textHash(html, text);
  // One round trip reads what the checks below need (see post-context.repo.ts).
  const author = member ? null : (actor.commenter?.id ?? null);
  const statement = claim?.statement();
  const read = await readPostContext(deps.db, { threadId, textHash: hash, commenterId: author, ipHash: actor.ipHash }, statement);
  if (statement) claim!.taken(read.claimOwner);
  const { context } = read;
  if (!context) throw errors.notFound('The thread');
  const { thread } = context;
  const site = withSettings(context.site);
  const { settings } = site;

  const fieldErrors = [];
  const tooLong = bodyTooLong(source, site);
  if (tooLong) fieldErrors.push(tooLong);
  if (!member) {
    if (settings.requireName && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required on this site' });
    if (settings.requireEmail && !email && !actor.commenter?.email) fieldErrors.push({ path: 'email', message: 'is required on this site' });
    if (!settings.allowAnonymous && !name && !actor.commenter?.name) fieldErrors.push({ path: 'name', message: 'is required: this site does not accept anonymous comments' });
  }
  if (fieldErrors.length) throw errors.validation('Some fields need attention.', fieldErrors);

  const ban = member ? null : await banForPost(deps, site.id, actor.ip ?? null, context.banDays, context.commenterBan);

  // A repeated post is answered before it spends the reader's flood budget (checked again, locked, below).
  const duplicate = { threadId: thread.id, textHash: hash, commenterId: actor.commenter?.id ?? null, ipHash: actor.ipHash };
  if (context.duplicate) throw duplicateError();
  // Staff are not flood-limited; a banned reader is refused by the pipeline before spending budget.
  if (!member && !ban) await deps.limits.consume('comment', { commenterId: actor.commenter?.id ?? null, network: actor.ipHash });

  // Everything that needs no lock happens before the thread's: the parent, the author's standing,
  // the verdict. Under the thread's lock, a batch of posts is one statement (planClaimingThread).
  let parent: Comment | undefined;
  if (input.parentId) {
    parent = await repo.findComment(deps.db, input.parentId);
    const visibleToAuthor =
      parent && (parent.status === 'approved' || (parent.status === 'pending' && actor.commenter && parent.commenter_id === actor.commenter.id));
    if (!parent || parent.thread_id !== thread.id || !visibleToAuthor) throw errors.notFound('The comment you are replying to');
  }
  const approvedCount = author ? context.approvedCount : 0;
  const verdict = runPipeline({
    site,
    thread,
    body: { source, html, text, links: countLinks(html) },
    author: { isMember: !!member, approvedCount, banned: !!ban, bannedUntil: ban?.expires_at ?? null },
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

  // A first post creates the reader's identity, in the same statement as the comment.
  const existing = member ? null : actor.commenter;
  const token = !member && !existing ? newSecret('ct') : undefined;
  const newCommenter = token
    ? { id: newId(), token_hash: hashSecret(token), name, email, website: input.website ?? null }
    : undefined;
  const commenterId = existing?.id ?? newCommenter?.id ?? null;
  const values: repo.NewCommentValues = {
    id: newId(),
    site_id: site.id,
    thread_id: thread.id,
    parent_id: parentId,
    reply_to_id: replyToId,
    root_id: parent ? (parent.root_id ?? parent.id) : null,
    depth,
    commenter_id: commenterId,
    member_id: member?.id ?? null,
    author_name: member ? member.name : (name ?? existing?.name ?? null),
    author_website: member ? null : (input.website ?? existing?.website ?? null),
    badge: member?.badge ?? null,
    body_src: source,
    body_html: html,
    text_hash: hash,
    status: verdict.status,
    previous_status: null,
    status_reason: verdict.reason,
    ip_hash: actor.ipHash,
    user_agent: actor.userAgent?.slice(0, 400) ?? null,
  };
  // The comment as it will be, but for the seq and time its insert takes under the thread's lock.
  const provisional = { ...values, seq: 0, created_at: new Date(0), edited_at: null, featured: false, reaction_count: 0, reply_count: 0 } as Comment;
  // An author who shows their poll choice shows it on a new comment too, live and in the replay log.
  const vote = existing?.show_vote && verdict.status === 'approved' ? await shownVoteOf(deps.db, thread.id, existing.id) : null;
  const extras = vote ? { vote } : {};
  const event = creationEvent(provisional, extras);
  const guard = { state: thread.state, mode: thread.mode, duplicate };

  // Posts to one thread share transactions (thread-writer.ts): the thread's lock is taken first, once
  // per batch, so the checks in the insert are exact.
  const writer = deps.writer ?? createPostWriter(deps);
  // A known reader's new name, email or website applies from this comment on (what is unchanged is left alone).
  const profile = {
    ...(existing && name && name !== existing.name ? { name } : {}),
    ...(existing && email && email !== existing.email ? { email } : {}),
    ...(existing && input.website && input.website !== existing.website ? { website: input.website } : {}),
  };
  const changesProfile = Object.keys(profile).length > 0;
  const approved = verdict.status === 'approved';
  // An approved reply moves its parent's counts (applyReplyCounters, below).
  const writesMore = changesProfile || (approved && parentId !== null);
  const insert: repo.ClaimingInsert = { values, approvedDelta: approved ? 1 : 0, guard, event, newCommenter, writesMore };
  const result = await writer.run(thread.id, insert, async (uow, outcome) => {
    const { trx } = uow;
    // Nothing was written: say why. A refusal leaves the other posts of the batch alone.
    if ('refused' in outcome) {
      if (outcome.refused === 'duplicate') throw refusal(duplicateError());
      if (outcome.refused === 'gone') throw refusal(errors.notFound('The thread'));
      // Closed, or its moderation changed, since it was read: judged again from the start.
      throw refusal(new ThreadChanged());
    }
    const { comment, change } = outcome;
    if (existing && changesProfile) await commenterRepo.updateProfile(trx, existing.id, profile);
    // Counted as if it had existed before as nothing: an approved reply adds to its parent.
    await applyReplyCounters(uow, { ...comment, status: 'rejected', reply_count: 0 }, comment);
    await recordWrittenThreadEvent(uow, change);
    announceStatus(uow, null, comment);
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
