import { withSettings } from '../sites/site.service';
import type { PrivacyExtension } from './privacy.extension';
import { DAY_MS, forgetNetworksBefore } from './network';

/**
 * The network hash a like keeps for the per-network cap on likes without a token. Export shows it
 * beside each like; erasure removes the likes themselves (the base erasure); retention blanks the
 * hash after the site's retention period, as on comments and ballots.
 */
export const likesPrivacy: PrivacyExtension = {
  name: 'likes',

  async export(db, subject) {
    let q = db
      .selectFrom('reactions as r')
      .innerJoin('comments as c', 'c.id', 'r.comment_id')
      .select(['r.comment_id', 'r.ip_hash', 'r.created_at', 'c.site_id'])
      .where('r.commenter_id', '=', subject.commenterId)
      .where('r.ip_hash', 'is not', null);
    if (subject.siteId) q = q.where('c.site_id', '=', subject.siteId);
    const rows = await q.orderBy('r.created_at').execute();
    if (rows.length === 0) return { likeNetworks: [] };
    const sites = await db.selectFrom('sites').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.site_id))]).execute();
    const retention = new Map(sites.map((s) => [s.id, withSettings(s).settings.retentionDays]));
    return {
      likeNetworks: rows.map((r) => ({
        commentId: r.comment_id,
        hash: r.ip_hash,
        keptUntil: new Date(r.created_at.getTime() + (retention.get(r.site_id) ?? 30) * DAY_MS).toISOString(),
      })),
    };
  },

  async retention(db, { now, site }) {
    const before = new Date(now.getTime() - site.retentionDays * DAY_MS);
    return { likeNetworkHashes: await forgetNetworksBefore(db, { table: 'reactions', parent: 'comments', via: 'comment_id' }, site.id, before) };
  },
};
