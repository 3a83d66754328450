import { type RawBuilder, sql } from 'kysely';
import type { RiskReason } from '../../db/schema';
import type { Executor, Tx } from '../db';
import type { Fingerprint } from './simhash';

export interface FeatureRow {
  feature: string;
  spam: number;
  ham: number;
  updated_at: Date;
}

/** The site's own counts that changed since `since` (all of them when null). */
export async function featuresSince(db: Executor, siteId: string, since: Date | null): Promise<FeatureRow[]> {
  let q = db.selectFrom('abuse_features').select(['feature', 'spam', 'ham', 'updated_at']).where('site_id', '=', siteId);
  if (since) q = q.where('updated_at', '>', since);
  return q.execute();
}

export async function totalsOf(db: Executor, siteId: string) {
  return db.selectFrom('abuse_models').selectAll().where('site_id', '=', siteId).executeTakeFirst();
}

/**
 * Adds (sign 1) or takes away (sign −1) one text's features from the site's counts, in the
 * decision's transaction. Rows are written in feature order, so two decisions at once lock them in
 * the same order; the totals row moves the version instances compare against.
 */
export async function applySample(trx: Tx, siteId: string, features: string[], label: 'spam' | 'ham', sign: 1 | -1): Promise<void> {
  const spam = label === 'spam' ? sign : 0;
  const ham = label === 'ham' ? sign : 0;
  const sorted = [...new Set(features)].sort();
  if (sorted.length) {
    await sql`
      insert into abuse_features (site_id, feature, spam, ham, updated_at)
      select ${siteId}, f, greatest(0, ${spam}::int), greatest(0, ${ham}::int), clock_timestamp()
      from unnest(${sorted}::text[]) as f order by f
      on conflict (site_id, feature) do update set
        spam = greatest(0, abuse_features.spam + ${spam}::int),
        ham = greatest(0, abuse_features.ham + ${ham}::int),
        updated_at = clock_timestamp()`.execute(trx);
  }
  await sql`
    insert into abuse_models as m (site_id, spam_docs, ham_docs, spam_tokens, ham_tokens, version, updated_at)
    values (${siteId}, greatest(0, ${spam}::int), greatest(0, ${ham}::int), greatest(0, ${spam * sorted.length}::int),
      greatest(0, ${ham * sorted.length}::int), 1, clock_timestamp())
    on conflict (site_id) do update set
      spam_docs = greatest(0, m.spam_docs + ${spam}::int),
      ham_docs = greatest(0, m.ham_docs + ${ham}::int),
      spam_tokens = greatest(0, m.spam_tokens + ${spam * sorted.length}::int),
      ham_tokens = greatest(0, m.ham_tokens + ${ham * sorted.length}::int),
      version = m.version + 1,
      updated_at = clock_timestamp()`.execute(trx);
}

export async function sampleOf(trx: Tx, commentId: string) {
  return trx.selectFrom('abuse_samples').selectAll().where('comment_id', '=', commentId).forUpdate().executeTakeFirst();
}

export async function saveSample(
  trx: Tx,
  row: { commentId: string; siteId: string; commenterId: string | null; label: 'spam' | 'ham'; features: string[]; at: Date },
): Promise<boolean> {
  const result = await trx
    .insertInto('abuse_samples')
    .values({
      comment_id: row.commentId,
      site_id: row.siteId,
      commenter_id: row.commenterId,
      label: row.label,
      features: JSON.stringify(row.features),
      created_at: row.at,
    })
    .onConflict((oc) => oc.column('comment_id').doUpdateSet({ label: row.label, features: JSON.stringify(row.features), created_at: row.at }))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Published comments nobody took down within a day, not learnt yet: the genuine side of the model. */
export async function unlearntGenuine(db: Executor, args: { before: Date; after: Date; limit: number }) {
  return db
    .selectFrom('comments as c')
    .select(['c.id', 'c.site_id', 'c.commenter_id', 'c.body_src'])
    .where('c.status', '=', 'approved')
    .where('c.member_id', 'is', null)
    .where('c.created_at', '<', args.before)
    .where('c.created_at', '>', args.after)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('abuse_samples as s').select('s.comment_id').whereRef('s.comment_id', '=', 'c.id'))))
    .orderBy('c.created_at')
    .limit(args.limit)
    .execute();
}

/** Everything the risk of a new comment needs from the database (migration 100: `abuse_risk_context`). */
export interface RiskContextRow {
  version: string | null;
  candidates: Array<{ b: Fingerprint; c: string | null; n: string | null }> | null;
  network10m: number;
  thread1m: number;
  taken_down: number;
}

export interface RiskContextArgs {
  threadId: string;
  commenterId: string | null;
  ipHash: string | null;
  /** null: the text is too short to compare, no candidates are read. */
  bands: Fingerprint | null;
  /** false: the speed counts are not read (PARLEY_RATE_LIMITS=off). */
  speed: boolean;
  windowStart: Date;
  networkStart: Date;
  threadStart: Date;
  trustStart: Date;
}

/**
 * The risk context as an expression of the site's id (`site`: a column or a value), so the post's
 * own context reads it in the same statement (post-context.repo.ts). The function keeps one plan per
 * connection, with one index to use for each lookup however large the tables grow (see the migration).
 */
export function riskContextExpression(site: RawBuilder<unknown>, args: RiskContextArgs): RawBuilder<RiskContextRow> {
  const bands = args.bands ? sql`array[${sql.join(args.bands.map((b) => sql`${b}::int`))}]` : sql`null::int[]`;
  return sql<RiskContextRow>`abuse_risk_context(${site}, ${args.threadId}::text, ${args.commenterId}::text, ${args.ipHash}::text, ${bands},
    ${args.speed}::boolean, ${args.windowStart.toISOString()}::timestamptz, ${args.networkStart.toISOString()}::timestamptz,
    ${args.threadStart.toISOString()}::timestamptz, ${args.trustStart.toISOString()}::timestamptz)`;
}

/** The risk context alone (an edit's: a new post's comes with its context). */
export async function riskContext(db: Executor, siteId: string, args: RiskContextArgs): Promise<RiskContextRow> {
  const { rows } = await sql<{ ctx: RiskContextRow }>`select ${riskContextExpression(sql`${siteId}::text`, args)} as ctx`.execute(db);
  return rows[0]!.ctx;
}

/**
 * An edited comment's fingerprint: its new text's bands replace the old ones, and the row keeps its
 * time (a new post's fingerprint is written with the comment, by the batch: comment.repo.ts).
 */
export async function saveEditedFingerprint(
  db: Executor,
  row: { commentId: string; siteId: string; threadId: string; commenterId: string | null; ipHash: string | null; bands: Fingerprint; at: Date },
): Promise<void> {
  const [b0, b1, b2, b3] = row.bands;
  await sql`insert into abuse_fingerprints (comment_id, site_id, thread_id, commenter_id, ip_hash, band0, band1, band2, band3, created_at)
    values (${row.commentId}, ${row.siteId}, ${row.threadId}, ${row.commenterId}, ${row.ipHash}, ${b0}, ${b1}, ${b2}, ${b3}, ${row.at})
    on conflict (comment_id) do update set band0 = excluded.band0, band1 = excluded.band1, band2 = excluded.band2, band3 = excluded.band3`.execute(db);
}

export const reasonsJson = (reasons: RiskReason[]) => JSON.stringify(reasons);

/**
 * Sites whose regression is due: at least `minLearnt` texts learnt, the model's version moved past
 * the one last fitted, and no fit since `notSince` (a busy site is fitted at most that often);
 * those fitted longest ago first.
 */
export async function regressionsDue(db: Executor, args: { minLearnt: number; notSince: Date }) {
  return db
    .selectFrom('abuse_models as m')
    .leftJoin('abuse_regressions as r', 'r.site_id', 'm.site_id')
    .select(['m.site_id'])
    .where(sql<boolean>`m.spam_docs + m.ham_docs >= ${args.minLearnt}`)
    .where(sql<boolean>`m.version > coalesce(r.fitted_version, -1)`)
    .where((eb) => eb.or([eb('r.fitted_at', 'is', null), eb('r.fitted_at', '<', args.notSince)]))
    // Never fitted first, then those fitted longest ago.
    .orderBy(sql`r.fitted_at nulls first`)
    .execute();
}

/**
 * Claims the site's next fit for this instance until `until`: true when no other instance holds a
 * claim that has not run out by `now`.
 */
export async function claimRegression(db: Executor, siteId: string, now: Date, until: Date): Promise<boolean> {
  const { rows } = await sql<{ site_id: string }>`
    insert into abuse_regressions as r (site_id, claimed_until) values (${siteId}, ${until})
    on conflict (site_id) do update set claimed_until = excluded.claimed_until
      where r.claimed_until is null or r.claimed_until < ${now}
    returning site_id`.execute(db);
  return rows.length > 0;
}

/** The model's version, then the site's newest samples (read after it: a fit is never newer than it says). */
export async function samplesToFit(db: Executor, siteId: string, limit: number) {
  const model = await db.selectFrom('abuse_models').select('version').where('site_id', '=', siteId).executeTakeFirst();
  const samples = await db
    .selectFrom('abuse_samples')
    .select(['label', 'features'])
    .where('site_id', '=', siteId)
    .orderBy('created_at', 'desc')
    .orderBy('comment_id')
    .limit(limit)
    .execute();
  return { version: model?.version ?? '0', samples };
}

/**
 * Stores a fit and moves the site's model version, so every instance reads the new fit with its
 * next post (abuse.model.ts). The fit counts as of the moved version only if no sample came in
 * while it ran (the version was still the one read with the samples); otherwise as of the version
 * read, so the site is fitted again at the next run.
 */
export async function saveRegression(
  db: Executor,
  siteId: string,
  fit: { version: string; samples: number; bias: number; weights: string | null; at: Date },
): Promise<void> {
  await sql`
    with moved as (
      update abuse_models set version = version + 1 where site_id = ${siteId} returning version
    )
    update abuse_regressions set
      fitted_version = case when (select version from moved) = ${fit.version}::bigint + 1 then (select version from moved) else ${fit.version}::bigint end,
      samples = ${fit.samples}, bias = ${fit.bias}, weights = ${fit.weights}::jsonb, fitted_at = ${fit.at}, claimed_until = null
    where site_id = ${siteId}`.execute(db);
}

/** The site's regression if fitted after `newerThan` (weights null: too few samples), or none. */
export async function regressionOf(db: Executor, siteId: string, newerThan: Date | null) {
  let q = db.selectFrom('abuse_regressions').select(['bias', 'weights', 'fitted_at']).where('site_id', '=', siteId).where('fitted_at', 'is not', null);
  if (newerThan) q = q.where('fitted_at', '>', newerThan);
  return q.executeTakeFirst();
}

/** After an erasure or retention: these sites' regressions are fitted again at the next run, without the samples that went. */
export async function refitRegressions(db: Executor, siteIds: string[]): Promise<void> {
  if (siteIds.length === 0) return;
  await db.updateTable('abuse_regressions').set({ fitted_version: 0, fitted_at: null }).where('site_id', 'in', siteIds).execute();
}
