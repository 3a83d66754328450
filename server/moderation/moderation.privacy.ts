import { sql } from 'kysely';
import type { Executor } from '../db';
import type { PrivacyExtension, PrivacySubject } from '../privacy/privacy.extension';
import { DAY_MS, utcDay } from '../privacy/network';

/**
 * What moderation keeps about a commenter: decisions on their comments and actions naming them in
 * the log, their bans, and why the rules held a comment. Export shows all of it (never which staff
 * member decided: that is someone else's personal data); erasure unlinks the log from them, drops
 * their bans and the rules' reasons; retention drops network bans once the network can no longer
 * be recognised.
 */
async function logOf(db: Executor, subject: PrivacySubject) {
  let q = db
    .selectFrom('moderation_log')
    .select(['created_at', 'site_id', 'action', 'comment_id', 'from_status', 'to_status', 'reason', 'actor_type'])
    .where((eb) =>
      eb.or([
        eb('commenter_id', '=', subject.commenterId),
        ...(subject.commentIds.length ? [eb('comment_id', 'in', subject.commentIds)] : []),
      ]),
    );
  if (subject.siteId) q = q.where('site_id', '=', subject.siteId);
  return q.orderBy('id').execute();
}

async function bansOf(db: Executor, subject: PrivacySubject) {
  let q = db.selectFrom('bans').selectAll().where((eb) =>
    eb.or([
      eb('commenter_id', '=', subject.commenterId),
      ...(subject.commentIds.length ? [eb('comment_id', 'in', subject.commentIds)] : []),
    ]),
  );
  if (subject.siteId) q = q.where('site_id', '=', subject.siteId);
  return q.orderBy('created_at').execute();
}

const BY = { member: 'a moderator', key: 'the site’s systems', system: 'the site’s rules' } as const;

export const moderationPrivacy: PrivacyExtension = {
  name: 'moderation',

  async export(db, subject) {
    const [log, bans] = await Promise.all([logOf(db, subject), bansOf(db, subject)]);
    return {
      moderationDecisions: log.map((e) => ({
        at: e.created_at.toISOString(),
        siteId: e.site_id,
        action: e.action,
        commentId: e.comment_id,
        from: e.from_status,
        to: e.to_status,
        reason: e.reason,
        by: BY[e.actor_type],
      })),
      bans: bans.map((b) => ({
        siteId: b.site_id,
        scope: b.network_hash ? 'network' : 'commenter',
        commentId: b.comment_id,
        reason: b.reason,
        createdAt: b.created_at.toISOString(),
        expiresAt: b.expires_at?.toISOString() ?? null,
        liftedAt: b.lifted_at?.toISOString() ?? null,
        ...(b.network_hash ? { network: { hash: b.network_hash } } : {}),
      })),
    };
  },

  async erase(uow, subject) {
    const { trx } = uow;
    let log = trx.updateTable('moderation_log').set({ commenter_id: null }).where('commenter_id', '=', subject.commenterId);
    if (subject.siteId) log = log.where('site_id', '=', subject.siteId);
    const unlinked = await log.executeTakeFirst();
    // A ban of an identity that no longer exists protects no one; a network ban stays until retention.
    let bans = trx.deleteFrom('bans').where('commenter_id', '=', subject.commenterId);
    if (subject.siteId) bans = bans.where('site_id', '=', subject.siteId);
    const dropped = await bans.executeTakeFirst();
    // "held word: …" would repeat what they wrote.
    if (subject.commentIds.length) {
      await trx.updateTable('comments').set({ status_reason: null }).where('id', 'in', subject.commentIds).execute();
    }
    return { moderationLogEntries: Number(unlinked.numUpdatedRows ?? 0), bans: Number(dropped.numDeletedRows ?? 0) };
  },

  async retention(db, { now, site }) {
    // A network ban is only a network hash: it goes when the site's network hashes go, or as soon
    // as that day's secret is destroyed (it could never match again).
    const oldest = utcDay(new Date(now.getTime() - site.retentionDays * DAY_MS));
    const result = await sql`
      delete from bans b
      where b.site_id = ${site.id} and b.network_hash is not null
        and (b.network_day < ${oldest} or not exists (select 1 from hash_keys k where k.day = b.network_day))`.execute(db);
    return { networkBans: Number(result.numAffectedRows ?? 0) };
  },
};
