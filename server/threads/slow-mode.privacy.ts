import { sql } from 'kysely';
import type { PrivacyExtension } from '../privacy/privacy.extension';
import { SLOW_MODE_MAX_SECONDS } from './slow-mode.rules';

/**
 * Slow mode keeps, per thread, when a reader last posted there (with the network fingerprint of
 * that post), for at most the longest interval. Export lists them; erasure removes them; retention
 * (and the slow mode sweep) removes what is older than an hour.
 */
export const slowModePrivacy: PrivacyExtension = {
  name: 'slow mode',
  async export(db, subject) {
    const rows = await db
      .selectFrom('slow_mode_posts as m')
      .innerJoin('threads as t', 't.id', 'm.thread_id')
      .select(['m.thread_id', 'm.ip_hash', 'm.posted_at'])
      .where('m.commenter_id', '=', subject.commenterId)
      .$if(!!subject.siteId, (q) => q.where('t.site_id', '=', subject.siteId!))
      .orderBy('m.posted_at')
      .execute();
    return {
      slowMode: rows.map((r) => ({
        threadId: r.thread_id,
        postedAt: r.posted_at.toISOString(),
        network: r.ip_hash,
        keptUntil: new Date(r.posted_at.getTime() + SLOW_MODE_MAX_SECONDS * 1000).toISOString(),
      })),
    };
  },
  async erase(uow, subject) {
    const result = await sql`
      delete from slow_mode_posts m using threads t
      where t.id = m.thread_id and m.commenter_id = ${subject.commenterId}
        ${subject.siteId ? sql`and t.site_id = ${subject.siteId}` : sql``}`.execute(uow.trx);
    return { slowModePosts: Number(result.numAffectedRows ?? 0) };
  },
  async retention(db, { now, site }) {
    const result = await sql`
      delete from slow_mode_posts m using threads t
      where t.id = m.thread_id and t.site_id = ${site.id} and m.posted_at < ${new Date(now.getTime() - SLOW_MODE_MAX_SECONDS * 1000)}`.execute(db);
    return { slowModePosts: Number(result.numAffectedRows ?? 0) };
  },
};
