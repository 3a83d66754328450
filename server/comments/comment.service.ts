import type { Comment, Commenter } from '../../db/schema';
import type { UnitOfWork } from '../db';
import type { ReaderActor } from '../actors';
import { errors } from '../errors';
import { hashSecret, newId, newSecret } from '../ids';
import * as commenterRepo from '../commenters/commenter.repo';
import { claimLost, deferSeals, type EarlyClaim, sealedStatement, type WriteHooks } from '../idempotency/idempotency.service';
import type { SiteWithSettings } from '../sites/site.service';
import { shownVoteOf } from '../polls/shown-vote.service';
import { withoutAccountFields } from '../sso/sso.rules';
import { announceStatus, applyReplyCounters, creationEvent } from './comment.changes';
import { recordWrittenThreadEvent } from '../threads/thread.events';
import type { CommentDeps, PostWriter } from './comment.deps';
import { createThreadWriter, refusal } from './thread-writer';
import * as repo from './comment.repo';
import { duplicateError } from './comment.rules';
import type { CreateCommentInput } from './comment.schema';
import { type JudgedPost, judgePost, proofOnce } from './post-judge';
import { slowModeError } from '../threads/slow-mode.rules';
import { switchOnAutoSlowMode } from '../threads/slow-mode.service';

export const createPostWriter = (deps: Pick<CommentDeps, 'db' | 'bus'>, options: { oneTripCommit?: boolean } = {}): PostWriter =>
  createThreadWriter(
    deps,
    {
      lock: (trx, threadId, opening) => {
        // The batch's idempotency records are stored together, with its commit (see settle).
        deferSeals(trx);
        return repo.lockThread(trx, threadId, opening);
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

export interface PostResult {
  comment: Comment;
  token?: string;
  site: SiteWithSettings;
}

/** The idempotency hooks of a post: the reply stored with it, and the claim its first read takes. */
export interface PostHooks extends WriteHooks<PostResult> {
  /** The request's idempotency claim, taken in the post's first read (see EarlyClaim). */
  claim?: EarlyClaim;
  /** More to write in the post's transaction (a mail subscription), before the reply is sealed. */
  alsoWrite?: (uow: UnitOfWork, posted: PostResult) => Promise<void>;
}

/** The thread changed under a post between its first read and its lock: the post starts over. */
class ThreadChanged extends Error {}

/** A post is judged (post-judge.ts), then written; judged again when the thread changed between. */
export async function postComment(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
  hooks: PostHooks = {},
): Promise<PostResult> {
  // A signed-in reader's name, email and website come from their account, not the form.
  const fields = withoutAccountFields(actor.commenter, input);
  const proof = proofOnce(deps, threadId, fields);
  for (let attempt = 0; ; attempt++) {
    try {
      const judged = await judgePost(deps, actor, threadId, fields, hooks.claim, proof);
      return await writePost(deps, actor, judged, hooks);
    } catch (err) {
      if (!(err instanceof ThreadChanged) || attempt >= 2) throw err;
    }
  }
}

async function writePost(deps: CommentDeps, actor: ReaderActor, post: JudgedPost, hooks: PostHooks): Promise<PostResult> {
  const existing = actor.member ? null : actor.commenter;
  const { token, newCommenter } = newIdentity(actor, post);
  const values = rowOf(actor, post, existing?.id ?? newCommenter?.id ?? null);
  // The comment as it will be, but for the seq and time its insert takes under the thread's lock.
  // Object.assign rather than a spread and six more properties, which V8 adds one at a time (comment.repo.ts).
  const provisional = Object.assign({}, values, { seq: 0, created_at: new Date(0), edited_at: null, featured: false, reaction_count: 0, reply_count: 0 }) as Comment;
  const approved = post.verdict.status === 'approved';
  // An author who shows their poll choice shows it on a new comment too, live and in the replay log.
  const vote = existing?.show_vote && approved ? await shownVoteOf(deps.db, post.thread.id, existing.id) : null;
  const extras = vote ? { vote } : {};
  const profile = profileChanges(existing, post.form);
  const changesProfile = Object.keys(profile).length > 0;
  const insert: repo.ClaimingInsert = {
    values,
    approvedDelta: approved ? 1 : 0,
    guard: { state: post.thread.state, mode: post.thread.mode, duplicate: post.duplicate },
    event: creationEvent(provisional, extras),
    newCommenter,
    // An approved reply moves its parent's counts (applyReplyCounters, below).
    writesMore: changesProfile || (approved && values.parent_id !== null),
    slow: post.slow,
    // What the near-duplicate and speed signals read of it, written with it.
    fingerprint: post.assessment ? { bands: post.assessment.fingerprint, at: post.slow.at } : null,
  };
  let slowModeOn: number | undefined;

  // Posts to one thread share transactions (thread-writer.ts): the thread's lock is taken first, once
  // per batch, so the checks in the insert are exact.
  const writer = deps.writer ?? createPostWriter(deps);
  const result = await writer.run(post.thread.id, insert, async (uow, outcome) => {
    const { trx } = uow;
    const { comment, change, siteEndpoints } = writtenOrRefused(outcome);
    slowModeOn = 'slowModeOn' in outcome ? outcome.slowModeOn : undefined;
    if (existing && changesProfile) await commenterRepo.updateProfile(trx, existing.id, profile);
    // Counted as if it had existed before as nothing: an approved reply adds to its parent.
    await applyReplyCounters(uow, { ...comment, status: 'rejected', reply_count: 0 }, comment);
    await recordWrittenThreadEvent(uow, change);
    await announceStatus(uow, null, comment, { siteEndpoints });
    const posted: PostResult = { comment, token, site: post.site };
    await hooks.alsoWrite?.(uow, posted);
    await hooks.beforeCommit?.(trx, posted);
    return posted;
  });
  // Rare (a thread turning fast), so its own transaction after the post's: readers see it live. The
  // post is stored either way; if this fails, the next fast post of the thread switches it on.
  if (slowModeOn) await switchOnAutoSlowMode(deps, post.thread.id, slowModeOn).catch(() => {});
  // A first post was counted against its network only; the new identity starts with it counted too.
  if (result.token && result.comment.commenter_id) {
    await deps.limits.consume('comment', { commenterId: result.comment.commenter_id, network: null }).catch(() => {});
  }
  return result;
}

/** Nothing was written: say why. A refusal leaves the other posts of the batch alone. */
function writtenOrRefused(outcome: repo.Claimed): Extract<repo.Claimed, { comment: Comment }> {
  if (!('refused' in outcome)) return outcome;
  if (outcome.refused === 'duplicate') throw refusal(duplicateError());
  if (outcome.refused === 'gone') throw refusal(errors.notFound('The thread'));
  if (outcome.refused === 'slow') throw refusal(slowModeError(outcome.seconds, outcome.seconds));
  // Closed, or its moderation changed, since it was read: judged again from the start.
  throw refusal(new ThreadChanged());
}

/** A first post creates the reader's identity, in the same statement as the comment. */
function newIdentity(actor: ReaderActor, post: JudgedPost): Pick<repo.ClaimingInsert, 'newCommenter'> & { token?: string } {
  if (actor.member || actor.commenter) return {};
  const token = newSecret('ct');
  const { name, email, website } = post.form;
  return { token, newCommenter: { id: newId(), token_hash: hashSecret(token), name, email, website } };
}

function rowOf(actor: ReaderActor, post: JudgedPost, commenterId: string | null): repo.NewCommentValues {
  const member = actor.member ?? null;
  const existing = member ? null : actor.commenter;
  return {
    id: newId(),
    site_id: post.site.id,
    thread_id: post.thread.id,
    parent_id: post.place.parentId,
    reply_to_id: post.place.replyToId,
    root_id: post.place.rootId,
    depth: post.place.depth,
    commenter_id: commenterId,
    member_id: member?.id ?? null,
    author_name: member ? member.name : (post.form.name ?? existing?.name ?? null),
    author_website: member ? null : (post.form.website ?? existing?.website ?? null),
    badge: member?.badge ?? null,
    reader_badge: member ? null : (existing?.reader_badge ?? null),
    body_src: post.body.source,
    body_html: post.body.html,
    text_hash: post.body.hash,
    status: post.verdict.status,
    previous_status: null,
    status_reason: post.verdict.reason,
    risk: post.assessment?.risk.score ?? null,
    risk_reasons: post.assessment ? JSON.stringify(post.assessment.risk.reasons) : null,
    ip_hash: actor.ipHash,
    user_agent: actor.userAgent?.slice(0, 400) ?? null,
  };
}

/** A known reader's new name, email or website applies from this comment on (what is unchanged is left alone). */
function profileChanges(existing: Commenter | null | undefined, form: JudgedPost['form']) {
  if (!existing) return {};
  const { name, email, website } = form;
  return {
    ...(name && name !== existing.name ? { name } : {}),
    ...(email && email !== existing.email ? { email } : {}),
    ...(website && website !== existing.website ? { website } : {}),
  };
}
