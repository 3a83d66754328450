import type { Clock } from '../clock';
import type { Db } from '../db';
import type { EventBus } from '../events';
import * as repo from './abuse.repo';
import type { ModelCache } from './abuse.model';
import { assess } from './assess';
import { featuresOf } from './features';
import type { ProofKeys } from './proof.service';
import { fitRegression, weightsJson } from './regression';
import { MATURE_AT } from './signals/classifier';
import { isTrusted, type Risk, TRUST_DAYS } from './risk';
import { type Fingerprint, isNear, simhash } from './simhash';

const HOUR_MS = 3_600_000;
/** How far back the same text from others counts (near-duplicates). */
export const WINDOW_HOURS = 24;
/**
 * Texts shorter than this many words are not compared across readers: "Great piece", "I agree" and
 * "Thank you" are what many genuine readers write at once; a campaign needs words to carry its message.
 */
export const NEAR_DUPLICATE_MIN_WORDS = 6;

/** What the abuse defence needs, built once per process (app.ts). */
export interface AbuseDeps {
  db: Db;
  clock: Clock;
  models: ModelCache;
  /** Off with PARLEY_RATE_LIMITS=off: no speed signals, nor rising proof-of-work costs (SPEC §13). */
  speedSignals: boolean;
  /** Signs and checks proof-of-work challenges (proof.service.ts); none: no challenges. */
  proofKeys?: ProofKeys;
}

export interface Assessment {
  risk: Risk;
  /** SPEC §11 trust: skips first-time and link holds. */
  trusted: boolean;
  fingerprint: Fingerprint;
}

export interface AssessInput {
  siteId: string;
  threadId: string;
  commenterId: string | null;
  ipHash: string | null;
  text: string;
  approvedCount: number;
  proof: 'valid' | 'missing' | 'invalid' | 'exempt';
  /** The edited comment: its own earlier fingerprint is not a duplicate of it. */
  commentId?: string;
}

/**
 * What a comment's risk asks of the database, and the fingerprint it is compared by. A new post reads
 * it with its own context (post-context.repo.ts); an edit, alone (`assessComment`).
 */
export function riskQuery(
  deps: Pick<AbuseDeps, 'clock' | 'speedSignals'>,
  input: { threadId: string; commenterId: string | null; ipHash: string | null; text: string },
): { args: repo.RiskContextArgs; fingerprint: Fingerprint } {
  const now = deps.clock.now().getTime();
  const fingerprint = simhash(input.text);
  const compared = wordCount(input.text) >= NEAR_DUPLICATE_MIN_WORDS;
  return {
    fingerprint,
    args: {
      threadId: input.threadId,
      commenterId: input.commenterId,
      ipHash: input.ipHash,
      bands: compared ? fingerprint : null,
      speed: deps.speedSignals,
      windowStart: new Date(now - WINDOW_HOURS * HOUR_MS),
      networkStart: new Date(now - 10 * 60_000),
      threadStart: new Date(now - 60_000),
      trustStart: new Date(now - TRUST_DAYS * 24 * HOUR_MS),
    },
  };
}

/** The risk of an edited comment (its own fingerprint is not counted against it). */
export async function assessComment(deps: AbuseDeps, input: AssessInput): Promise<Assessment> {
  const query = riskQuery(deps, input);
  const context = await repo.riskContext(deps.db, input.siteId, query.args);
  return assessWith(deps, input, query, context);
}

/** The risk of a comment, from its risk context as read (riskQuery's). */
export async function assessWith(
  deps: AbuseDeps,
  input: AssessInput,
  query: { args: repo.RiskContextArgs; fingerprint: Fingerprint },
  context: repo.RiskContextRow,
): Promise<Assessment> {
  const { fingerprint } = query;
  const compared = query.args.bands !== null;
  const { model, learnt, regression } = await deps.models.modelFor(deps.db, input.siteId, context.version);
  const trusted = !!input.commenterId && isTrusted({ approvedCount: input.approvedCount, takenDownRecently: context.taken_down });
  const risk = assess({
    model,
    learnt,
    regression,
    text: input.text,
    nearDuplicates: compared ? othersWithSameText(context.candidates ?? [], fingerprint, input) : 0,
    windowHours: WINDOW_HOURS,
    speed: deps.speedSignals ? { network10m: context.network10m, thread1m: context.thread1m } : null,
    // Readers with trust never wait for a proof of work (SPEC §11): they are not asked for one.
    proof: trusted ? 'exempt' : input.proof,
  });
  return { risk, trusted, fingerprint };
}

const wordCount = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/**
 * Other posters of nearly the same text: distinct commenters, and distinct networks among posts with
 * no commenter. Not counted: the author's own posts (by their commenter; for a first post, posts
 * with no commenter from the same network, a double-click). Readers behind one network (a campus,
 * a newsroom) are still different commenters.
 */
export function othersWithSameText(
  candidates: ReadonlyArray<{ b: Fingerprint; c: string | null; n: string | null }>,
  fingerprint: Fingerprint,
  author: { commenterId: string | null; ipHash: string | null },
): number {
  const others = new Set<string>();
  for (const cand of candidates) {
    if (!isNear(cand.b, fingerprint)) continue;
    if (author.commenterId ? cand.c === author.commenterId : !cand.c && cand.n !== null && cand.n === author.ipHash) continue;
    if (cand.c) others.add(`c:${cand.c}`);
    else if (cand.n) others.add(`n:${cand.n}`);
  }
  return others.size;
}

/**
 * An edited comment's fingerprint follows its new text (comment-owner.service.ts) and keeps the
 * post's time (`postedAt`): the speed signals count posts, not edits.
 */
export async function rememberEdit(
  deps: Pick<AbuseDeps, 'db'>,
  post: { commentId: string; siteId: string; threadId: string; commenterId: string | null; ipHash: string | null; fingerprint: Fingerprint; postedAt: Date },
): Promise<void> {
  await repo.saveEditedFingerprint(deps.db, { ...post, bands: post.fingerprint, at: post.postedAt });
}

/** Which side of the model a decision teaches: approve versus reject and spam. */
export function labelOf(decision: { action: string; from: string; to: string }): 'spam' | 'ham' | null {
  if (decision.from === decision.to) return null;
  if (decision.to === 'rejected' || decision.to === 'spam') return 'spam';
  if (decision.to === 'approved') return 'ham';
  return null;
}

/**
 * A moderator's decision, learnt in its own transaction (a `bus.within` writer): the comment's
 * features move to the decided side; a comment learnt before on the other side is taken back first.
 */
export async function learnDecision(
  trx: Parameters<typeof repo.applySample>[0],
  clock: Clock,
  decision: { commentId: string; siteId: string; action: string; from: string; to: string },
): Promise<void> {
  const label = labelOf(decision);
  if (!label) return;
  const comment = await trx.selectFrom('comments').select(['body_src', 'commenter_id', 'member_id']).where('id', '=', decision.commentId).executeTakeFirst();
  if (!comment || comment.member_id) return;
  const previous = await repo.sampleOf(trx, decision.commentId);
  if (previous?.label === label) return;
  if (previous) await repo.applySample(trx, decision.siteId, previous.features, previous.label, -1);
  const features = featuresOf(comment.body_src);
  await repo.applySample(trx, decision.siteId, features, label, 1);
  await repo.saveSample(trx, { commentId: decision.commentId, siteId: decision.siteId, commenterId: comment.commenter_id, label, features, at: clock.now() });
}

/** The genuine side: published comments a day old that nobody took down. Returns how many were learnt. */
export async function learnGenuine(deps: { db: Db; clock: Clock }, limit = 200): Promise<number> {
  const now = deps.clock.now().getTime();
  const rows = await repo.unlearntGenuine(deps.db, { before: new Date(now - 24 * HOUR_MS), after: new Date(now - 8 * 24 * HOUR_MS), limit });
  let learnt = 0;
  for (const row of rows) {
    await deps.db.transaction().execute(async (trx) => {
      const features = featuresOf(row.body_src);
      // A decision or another instance got there first: the sample exists and this one is skipped.
      const inserted = await trx
        .insertInto('abuse_samples')
        .values({ comment_id: row.id, site_id: row.site_id, commenter_id: row.commenter_id, label: 'ham', features: JSON.stringify(features), created_at: new Date(now) })
        .onConflict((oc) => oc.column('comment_id').doNothing())
        .returning('comment_id')
        .executeTakeFirst();
      if (!inserted) return;
      await repo.applySample(trx, row.site_id, features, 'ham', 1);
      learnt++;
    });
  }
  return learnt;
}

/**
 * A busy site's regression is fitted again at most this often (its counts move with every
 * decision): a decision reaches it within about a minute, as it reaches the counts at once.
 */
export const REFIT_EVERY_MS = 60_000;
/** The newest samples a fit reads: enough for the regression, and a bounded fit (about 3 s of CPU, in slices between requests). */
export const FIT_SAMPLES = 5_000;
/** How long an instance holds its claim on a site's fit before another may take it over. */
const FIT_CLAIM_MS = 5 * 60_000;
/**
 * The most time one run of the job spends fitting (a sixth of a core at one run a minute): with
 * many busy mature sites, those fitted longest ago go first and the rest wait for the next run.
 */
const FIT_BUDGET_MS = 10_000;

/**
 * Fits the regression (regression.ts) of each mature site whose model moved since its last fit
 * (and not within REFIT_EVERY_MS), from its newest samples; one instance per site at a time; the
 * fit moves the site's version, so every instance reads it with its next post. At most
 * FIT_BUDGET_MS of fitting per run. A site with fewer than MATURE_AT samples (retention dropped the rest) keeps none. Returns how many
 * sites were fitted.
 */
export async function fitRegressions(deps: { db: Db; clock: Clock }): Promise<number> {
  const now = deps.clock.now();
  const due = await repo.regressionsDue(deps.db, { minLearnt: MATURE_AT, notSince: new Date(now.getTime() - REFIT_EVERY_MS) });
  let fitted = 0;
  const started = performance.now();
  for (const { site_id: siteId } of due) {
    if (performance.now() - started >= FIT_BUDGET_MS) break;
    if (!(await repo.claimRegression(deps.db, siteId, now, new Date(now.getTime() + FIT_CLAIM_MS)))) continue;
    const { version, samples } = await repo.samplesToFit(deps.db, siteId, FIT_SAMPLES);
    const model = samples.length >= MATURE_AT ? await fitRegression(samples) : null;
    await repo.saveRegression(deps.db, siteId, {
      version,
      samples: samples.length,
      bias: model?.bias ?? 0,
      weights: model ? weightsJson(model) : null,
      at: deps.clock.now(),
    });
    fitted++;
  }
  return fitted;
}

/** Registers the decision learner on the bus: it writes inside each decision's transaction. */
export function listenForDecisions(bus: EventBus, clock: Clock): () => void {
  return bus.within('moderation.decided', (trx, e) => learnDecision(trx, clock, e));
}
