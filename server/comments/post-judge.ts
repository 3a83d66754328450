import type { Comment, Thread } from '../../db/schema';
import { type Assessment, assessWith, riskQuery } from '../abuse/abuse.service';
import type { RiskContextArgs } from '../abuse/abuse.repo';
import { checkProof, type ProofStatus } from '../abuse/proof.service';
import type { ReaderActor } from '../actors';
import { errors } from '../errors';
import type { EarlyClaim } from '../idempotency/idempotency.service';
import { banForPost } from '../moderation/ban.service';
import { type PipelineResult, runPipeline } from '../moderation/pipeline';
import { type SiteWithSettings, withSettings } from '../sites/site.service';
import { assertMayParticipate } from '../sso/sso.rules';
import type { CommentDeps } from './comment.deps';
import * as repo from './comment.repo';
import { bodyTooLong, duplicateError, normaliseSource, type RenderedBody, renderedBody } from './comment.rules';
import type { CreateCommentInput } from './comment.schema';
import { type PostContext, readPostContext } from './post-context.repo';
import type { SlowPlan } from './comment.repo';
import { slowModeError, slowModeSeconds, slowModeWait } from '../threads/slow-mode.rules';
import { stateAt } from '../threads/schedule.rules';

/**
 * A post, judged: where it goes, what the moderation rules decided, and what its insert checks again
 * under the thread's lock. Judging takes no lock and writes nothing but the reader's flood budget.
 */
export interface JudgedPost {
  site: SiteWithSettings;
  thread: Thread;
  body: RenderedBody;
  verdict: PipelineResult;
  /** The abuse signals' risk; null for staff, banned readers, or without the abuse defence. */
  assessment: Assessment | null;
  place: Place;
  /** As given on the form; null for a member, who posts under their own name. */
  form: { name: string | null; email: string | null; website: string | null };
  /** The duplicate rule's keys, checked again by the insert (see InsertGuard). */
  duplicate: { threadId: string; textHash: string; commenterId: string | null; ipHash: string | null };
  /** Slow mode and posting speed, as the insert records them (see planClaimingThread). */
  slow: SlowPlan;
}

export interface Place {
  parentId: string | null;
  replyToId: string | null;
  rootId: string | null;
  depth: number;
}

export async function judgePost(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  input: CreateCommentInput,
  claim?: EarlyClaim,
  proof?: () => Promise<ProofStatus>,
): Promise<JudgedPost> {
  const member = actor.member ?? null;
  const form = member
    ? { name: null, email: null, website: null }
    : { name: input.name || null, email: input.email || null, website: input.website ?? null };
  const body = renderedBody(normaliseSource(input.body));
  // A reader's post reads what its risk needs with its context (staff are not scored).
  const risk = deps.abuse && !member ? riskQuery(deps.abuse, { threadId, commenterId: actor.commenter?.id ?? null, ipHash: actor.ipHash, text: body.text }) : null;
  const context = await readContext(deps, actor, threadId, body.hash, claim, risk?.args);
  const { thread } = context;
  const site = withSettings(context.site);
  if (!member) assertMayParticipate(site, actor.commenter);
  checkFields(site, actor, body.source, form);

  const ban = member ? null : await banForPost(deps, site.id, actor.ip ?? null, context.banDays, context.commenterBan);
  // A repeated post is answered before it spends the reader's flood budget (checked again, locked, on insert).
  if (context.duplicate) throw duplicateError();
  const slow = slowPlan(deps, site, thread, !!member);
  // Staff are neither slowed nor flood-limited; a banned reader is refused by the pipeline before spending budget.
  if (!member && !ban) {
    const wait = slowModeWait(slow.seconds, context.slowLastAt, slow.at);
    if (wait) throw slowModeError(wait, slow.seconds);
    await deps.limits.consume('comment', { commenterId: actor.commenter?.id ?? null, network: actor.ipHash });
  }

  // Everything that needs no lock happens before the thread's: the parent, the author's standing,
  // the verdict. Under the thread's lock, a batch of posts is one statement (planClaimingThread).
  const parent = input.parentId ? await parentFor(deps, actor, thread.id, input.parentId) : undefined;
  const approvedCount = actor.commenter && !member ? context.approvedCount : 0;
  const assessment =
    deps.abuse && risk && context.risk && !ban
      ? await assessWith(
          deps.abuse,
          {
            siteId: site.id,
            threadId: thread.id,
            commenterId: actor.commenter?.id ?? null,
            ipHash: actor.ipHash,
            text: body.text,
            approvedCount,
            // The publisher's server posting with its key is not asked for a proof of work.
            proof: actor.apiKeySiteId === site.id ? 'exempt' : await (proof ?? (() => checkProof(deps.abuse!, thread.id, input.altcha)))(),
          },
          risk,
          context.risk,
        )
      : null;
  const verdict = runPipeline({
    site,
    // Closed or open as its schedule makes it now: a post at the close time itself is refused.
    thread: { ...thread, state: stateAt(thread, slow.at) },
    body,
    author: { isMember: !!member, approvedCount, banned: !!ban, bannedUntil: ban?.expires_at ?? null, trusted: assessment?.trusted ?? false },
    risk: assessment?.risk,
    form: { honeypot: input.hp, elapsedMs: input.elapsedMs },
    isEdit: false,
  });
  const duplicate = { threadId: thread.id, textHash: body.hash, commenterId: actor.commenter?.id ?? null, ipHash: actor.ipHash };
  return { site, thread, body, verdict, assessment, place: placeOf(parent, site.settings.maxDepth), form, duplicate, slow };
}

/**
 * A post's proof of work, checked once however often the post is judged: the check claims the
 * challenge, and a post judged again (its thread changed meanwhile) must not find it used.
 */
export function proofOnce(deps: CommentDeps, threadId: string, input: CreateCommentInput): () => Promise<ProofStatus> {
  let checked: Promise<ProofStatus> | undefined;
  return () => (checked ??= deps.abuse ? checkProof(deps.abuse, threadId, input.altcha) : Promise.resolve('missing'));
}

/** What slow mode asks of this post now, and how it counts towards the thread's speed; staff are exempt. */
function slowPlan(deps: CommentDeps, site: SiteWithSettings, thread: Thread, member: boolean): SlowPlan {
  const at = deps.clock.now();
  const { slowModeAutoPerMinute: threshold, slowModeAutoSeconds: seconds, slowModeQuietMinutes: quiet } = site.settings;
  // PARLEY_RATE_LIMITS=off (load tests) switches automatic slow mode off with the flood limits.
  const auto = deps.config.rateLimits && threshold > 0 ? { threshold, seconds, quietMs: quiet * 60_000 } : null;
  if (member) return { at, seconds: 0, counts: false, auto: null };
  return { at, seconds: slowModeSeconds(thread, at, !!auto), counts: true, auto };
}

/** One round trip reads what the checks need (see post-context.repo.ts), taking the request's claim with it. */
async function readContext(
  deps: CommentDeps,
  actor: ReaderActor,
  threadId: string,
  hash: string,
  claim?: EarlyClaim,
  risk?: RiskContextArgs,
): Promise<PostContext> {
  const author = actor.member ? null : (actor.commenter?.id ?? null);
  const statement = claim?.statement();
  const slowBy = actor.member ? null : author ? { commenterId: author } : actor.ipHash ? { ipHash: actor.ipHash } : null;
  const read = await readPostContext(deps.db, { threadId, textHash: hash, commenterId: author, ipHash: actor.ipHash, slowBy, risk }, statement, deps.reads);
  if (statement) claim!.taken(read.claimOwner);
  if (!read.context) throw errors.notFound('The thread');
  return read.context;
}

/** The site's rules for the form: a length, and a name or email where the site asks for one. */
function checkFields(site: SiteWithSettings, actor: ReaderActor, source: string, form: JudgedPost['form']): void {
  const { settings } = site;
  const fieldErrors = [];
  const tooLong = bodyTooLong(source, site);
  if (tooLong) fieldErrors.push(tooLong);
  if (!actor.member) {
    const named = !!form.name || !!actor.commenter?.name;
    if (settings.requireName && !named) fieldErrors.push({ path: 'name', message: 'is required on this site' });
    if (settings.requireEmail && !form.email && !actor.commenter?.email) fieldErrors.push({ path: 'email', message: 'is required on this site' });
    if (!settings.allowAnonymous && !named) fieldErrors.push({ path: 'name', message: 'is required: this site does not accept anonymous comments' });
  }
  if (fieldErrors.length) throw errors.validation('Some fields need attention.', fieldErrors);
}

/** The comment replied to: in this thread, and published or the author's own pending one. */
async function parentFor(deps: CommentDeps, actor: ReaderActor, threadId: string, parentId: string): Promise<Comment> {
  const parent = await repo.findComment(deps.db, parentId);
  const visibleToAuthor =
    parent && (parent.status === 'approved' || (parent.status === 'pending' && actor.commenter && parent.commenter_id === actor.commenter.id));
  if (!parent || parent.thread_id !== threadId || !visibleToAuthor) throw errors.notFound('The comment you are replying to');
  return parent;
}

/** A reply to a comment at the depth cap attaches beside it, keeping a link to what it answers. */
function placeOf(parent: Comment | undefined, maxDepth: number): Place {
  if (!parent) return { parentId: null, replyToId: null, rootId: null, depth: 0 };
  const rootId = parent.root_id ?? parent.id;
  if (parent.depth + 1 > maxDepth) return { parentId: parent.parent_id, replyToId: parent.id, rootId, depth: parent.depth };
  return { parentId: parent.id, replyToId: null, rootId, depth: parent.depth + 1 };
}
