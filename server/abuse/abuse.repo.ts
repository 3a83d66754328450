import { sql } from 'kysely';
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

/** Everything the risk of a new comment needs from the database, in one round trip. */
export interface RiskContextRow {
  version: string | null;
  candidates: Array<{ b: Fingerprint; c: string | null; n: string | null }> | null;
  network10m: number;
  thread1m: number;
  taken_down: number;
}

/**
 * Same-band posts read per band, newest first: enough to find a campaign, and bounded however many
 * copies one sender posts (the index on (site, band, time) reads no more than these).
 */
const CANDIDATES_PER_BAND = 50;
/** Counts stop here: the speed signal is at its strongest by then (signals/speed.ts). */
const NETWORK_COUNT_CAP = 20;
const THREAD_COUNT_CAP = 30;

export async function riskContext(
  db: Executor,
  args: {
    siteId: string;
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
  },
): Promise<RiskContextRow> {
  const { siteId, bands } = args;
  const band = (i: 0 | 1 | 2 | 3) =>
    sql`(select * from abuse_fingerprints where site_id = ${siteId} and ${sql.ref(`band${i}`)} = ${bands![i]} and created_at > ${args.windowStart}
      order by created_at desc limit ${sql.lit(CANDIDATES_PER_BAND)})`;
  const capped = (from: ReturnType<typeof sql>, cap: number) => sql`(select count(*) from (select 1 ${from} limit ${sql.lit(cap)}) x)::int`;
  // Not prepared: a plan cached while the table was small (a new site, a fresh database) would keep
  // reading it whole as it grows; planned each time, the band indexes are used.
  const { rows } = await sql<RiskContextRow>`
    select
      (select version::text from abuse_models where site_id = ${siteId}) as version,
      ${
        bands
          ? sql`(select json_agg(json_build_object('b', json_build_array(f.band0, f.band1, f.band2, f.band3), 'c', f.commenter_id, 'n', f.ip_hash))
        from (${band(0)} union ${band(1)} union ${band(2)} union ${band(3)}) f)`
          : sql`null::json`
      } as candidates,
      ${args.speed && args.ipHash ? capped(sql`from abuse_fingerprints where site_id = ${siteId} and ip_hash = ${args.ipHash} and created_at > ${args.networkStart}`, NETWORK_COUNT_CAP) : sql`0`} as network10m,
      ${args.speed ? capped(sql`from abuse_fingerprints where thread_id = ${args.threadId} and created_at > ${args.threadStart}`, THREAD_COUNT_CAP) : sql`0`} as thread1m,
      ${args.commenterId ? sql`(select count(*) from abuse_samples where commenter_id = ${args.commenterId} and site_id = ${siteId} and label = 'spam' and created_at > ${args.trustStart})` : sql`0`}::int as taken_down`.execute(db);
  return rows[0]!;
}

/**
 * A comment's fingerprint row. A new post's goes as a statement at the end of the post's own
 * transaction (`UnitOfWork.last`: with the batch's commit, not a round trip of its own), so its
 * parameters are strings and numbers only; an edit (`replace`) puts its new text's bands in place and
 * keeps the post's time.
 */
export function fingerprintStatement(
  row: { commentId: string; siteId: string; threadId: string; commenterId: string | null; ipHash: string | null; bands: Fingerprint; at: Date },
  replace = false,
) {
  const [b0, b1, b2, b3] = row.bands;
  return sql`insert into abuse_fingerprints (comment_id, site_id, thread_id, commenter_id, ip_hash, band0, band1, band2, band3, created_at)
    values (${row.commentId}, ${row.siteId}, ${row.threadId}, nullif(${row.commenterId ?? ''}, ''), nullif(${row.ipHash ?? ''}, ''),
      ${b0}, ${b1}, ${b2}, ${b3}, ${row.at.toISOString()}::timestamptz)
    on conflict (comment_id) do ${replace ? sql`update set band0 = excluded.band0, band1 = excluded.band1, band2 = excluded.band2, band3 = excluded.band3` : sql`nothing`}`;
}

export const reasonsJson = (reasons: RiskReason[]) => JSON.stringify(reasons);
