import { sql } from 'kysely';
import type { PrivacyExtension } from '../privacy/privacy.extension';
import { refitRegressions } from './abuse.repo';
import { WINDOW_HOURS } from './abuse.service';
import { TRUST_DAYS } from './risk';

const HOUR_MS = 3_600_000;
/** Fingerprints outlive the near-duplicate window by a day, then go. */
export const FINGERPRINT_HOURS = WINDOW_HOURS + 24;
/** Samples are kept well past the trust window (they decide trust), then only the site's counts remain. */
export const SAMPLE_DAYS = Math.max(90, TRUST_DAYS * 3);

/**
 * What the abuse defence keeps about a commenter (SPEC §13 "Privacy of the new stores"): the
 * samples its model learnt from their comments (the label and the text's features: words and
 * domains), the short-lived fingerprints of their posts (a SimHash and the network hash), and the
 * risk reasons on their comments. The site's counts are sums over every comment and name no one.
 * Export lists all of it; erasure deletes samples and fingerprints and clears the reasons;
 * retention drops fingerprints after FINGERPRINT_HOURS and samples after SAMPLE_DAYS.
 */
export const abusePrivacy: PrivacyExtension = {
  name: 'abuse',

  async export(db, subject) {
    let samples = db.selectFrom('abuse_samples').select(['comment_id', 'site_id', 'label', 'features', 'created_at']).where('commenter_id', '=', subject.commenterId);
    let prints = db.selectFrom('abuse_fingerprints').select(['comment_id', 'site_id', 'ip_hash', 'band0', 'band1', 'band2', 'band3', 'created_at']).where('commenter_id', '=', subject.commenterId);
    if (subject.siteId) {
      samples = samples.where('site_id', '=', subject.siteId);
      prints = prints.where('site_id', '=', subject.siteId);
    }
    const risks = subject.commentIds.length
      ? await db.selectFrom('comments').select(['id', 'risk', 'risk_reasons']).where('id', 'in', subject.commentIds).where('risk', 'is not', null).execute()
      : [];
    const [s, p] = await Promise.all([samples.orderBy('created_at').execute(), prints.orderBy('created_at').execute()]);
    return {
      abuseDefence: {
        risks: risks.map((r) => ({ commentId: r.id, risk: r.risk, reasons: r.risk_reasons ?? [] })),
        learntFrom: s.map((r) => ({ commentId: r.comment_id, siteId: r.site_id, as: r.label === 'spam' ? 'taken down' : 'genuine', features: r.features, at: r.created_at.toISOString() })),
        fingerprints: p.map((r) => ({
          commentId: r.comment_id,
          siteId: r.site_id,
          simhash: [r.band0, r.band1, r.band2, r.band3],
          ...(r.ip_hash ? { network: { hash: r.ip_hash } } : {}),
          at: r.created_at.toISOString(),
        })),
      },
    };
  },

  async erase(uow, subject) {
    const { trx } = uow;
    let samples = trx.deleteFrom('abuse_samples').where('commenter_id', '=', subject.commenterId);
    let prints = trx.deleteFrom('abuse_fingerprints').where('commenter_id', '=', subject.commenterId);
    if (subject.siteId) {
      samples = samples.where('site_id', '=', subject.siteId);
      prints = prints.where('site_id', '=', subject.siteId);
    }
    // The sites the erased samples came from: their regressions are fitted again without them.
    const erased = await samples.returning('site_id').execute();
    const p = await prints.executeTakeFirst();
    const sites = new Set(erased.map((r) => r.site_id));
    if (subject.commentIds.length) {
      await trx.updateTable('comments').set({ risk_reasons: null }).where('id', 'in', subject.commentIds).execute();
      // A first post's fingerprint was taken before its commenter row existed under this id only.
      await trx.deleteFrom('abuse_fingerprints').where('comment_id', 'in', subject.commentIds).execute();
      const byComment = await trx.deleteFrom('abuse_samples').where('comment_id', 'in', subject.commentIds).returning('site_id').execute();
      for (const r of byComment) sites.add(r.site_id);
    }
    await refitRegressions(trx, [...sites]);
    return { abuseSamples: erased.length, abuseFingerprints: Number(p.numDeletedRows ?? 0) };
  },

  async retention(db, { now, site }) {
    // By the time in UTC: the expression their age indexes are on (migration 100).
    const olderThan = (at: Date) => sql<boolean>`(created_at at time zone 'UTC') < (${at.toISOString()}::timestamptz at time zone 'UTC')`;
    const prints = await db
      .deleteFrom('abuse_fingerprints')
      .where('site_id', '=', site.id)
      .where(olderThan(new Date(now.getTime() - FINGERPRINT_HOURS * HOUR_MS)))
      .executeTakeFirst();
    const samples = await db
      .deleteFrom('abuse_samples')
      .where('site_id', '=', site.id)
      .where(olderThan(new Date(now.getTime() - SAMPLE_DAYS * 24 * HOUR_MS)))
      .executeTakeFirst();
    // The site's regression is fitted again without the samples that went.
    if (Number(samples.numDeletedRows ?? 0) > 0) await refitRegressions(db, [site.id]);
    return { abuseFingerprints: Number(prints.numDeletedRows ?? 0), abuseSamples: Number(samples.numDeletedRows ?? 0) };
  },
};
