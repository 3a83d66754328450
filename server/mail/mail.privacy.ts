import type { PrivacyExtension } from '../privacy/privacy.extension';
import * as repo from './mail.repo';

export const UNCONFIRMED_DAYS = 7;

/**
 * Readers' mail (SPEC §13 "Privacy of the new stores"): the addresses a reader gave for
 * notifications (with whether they confirmed or stopped them) and their subscriptions. Export shows
 * them; erasure removes them (and so voids every unsubscribe link mailed); an address never
 * confirmed is forgotten after 7 days with its subscriptions. `commenters.email` is not touched here.
 */
export const mailPrivacy: PrivacyExtension = {
  name: 'mail',
  async export(db, subject) {
    const addresses = await repo.addressesOfCommenter(db, subject.commenterId, subject.siteId);
    const subscriptions = await repo.subscriptionsOf(db, subject.commenterId, subject.siteId);
    return {
      mailAddresses: addresses.map((a) => ({
        site: a.site_id,
        email: a.email,
        language: a.lang,
        createdAt: a.created_at.toISOString(),
        confirmedAt: a.confirmed_at?.toISOString() ?? null,
        confirmationSentAt: a.confirm_sent_at?.toISOString() ?? null,
        stoppedAt: a.stopped_at?.toISOString() ?? null,
      })),
      mailSubscriptions: subscriptions.map((s) => ({
        site: s.site_id,
        threadId: s.thread_id,
        commentId: s.comment_id,
        scope: s.scope,
        email: s.email,
        confirmed: s.confirmed_at !== null,
        createdAt: s.created_at.toISOString(),
      })),
    };
  },
  async erase(uow, subject) {
    const { trx } = uow;
    const subscriptions = await repo.deleteSubscriptions(trx, { commenterId: subject.commenterId, siteId: subject.siteId });
    const commenter = await trx.selectFrom('commenters').select('email').where('id', '=', subject.commenterId).executeTakeFirst();
    // Their own addresses, and their email's where no other commenter holds it (that one is theirs to erase).
    const email = commenter?.email ? repo.normaliseEmail(commenter.email) : null;
    let query = trx
      .deleteFrom('mail_addresses')
      .where((eb) =>
        eb.or([
          eb('commenter_id', '=', subject.commenterId),
          ...(email ? [eb.and([eb('email', '=', email), eb.or([eb('commenter_id', 'is', null), eb('commenter_id', '=', subject.commenterId)])])] : []),
        ]),
      );
    if (subject.siteId) query = query.where('site_id', '=', subject.siteId);
    const addresses = (await query.returning('id').execute()).length;
    return { mailSubscriptions: subscriptions, mailAddresses: addresses };
  },
  async retention(db, { now, site }) {
    const before = new Date(now.getTime() - UNCONFIRMED_DAYS * 86_400_000);
    const removed = await db
      .deleteFrom('mail_addresses')
      .where('site_id', '=', site.id)
      .where('confirmed_at', 'is', null)
      .where('created_at', '<', before)
      .where((eb) => eb.or([eb('confirm_sent_at', 'is', null), eb('confirm_sent_at', '<', before)]))
      .returning('id')
      .execute();
    return { unconfirmedMailAddresses: removed.length };
  },
};
