import type { PrivacyExtension } from '../privacy/privacy.extension';
import * as repo from './outbox.repo';
import { isoOrNull } from '../clock';

/** Delivered and given-up rows are kept this long (to answer "was it sent?"), then removed. */
export const FINISHED_OUTBOX_DAYS = 7;

/**
 * The outbox holds notifications about a reader (their mails: the address, what they are told of)
 * until delivered, and a week after. Export lists them without their content's internals; erasure
 * removes them, sent or not, so nothing more is sent to an erased reader; retention removes
 * finished rows after a week.
 */
export const outboxPrivacy: PrivacyExtension = {
  name: 'outbox',
  async export(db, subject) {
    const rows = await repo.rowsOfCommenter(db, subject.commenterId, subject.siteId);
    return {
      notifications: rows.map((r) => ({
        kind: r.kind,
        site: r.site_id,
        createdAt: r.created_at.toISOString(),
        status: r.done_at ? 'sent' : r.failed_at ? 'failed' : 'waiting',
        sentAt: isoOrNull(r.done_at),
      })),
    };
  },
  async erase(uow, subject) {
    return { notifications: await repo.deleteOfCommenter(uow.trx, subject.commenterId, subject.siteId) };
  },
  async retention(db, { now, site }) {
    return { notifications: await repo.pruneFinished(db, site.id, new Date(now.getTime() - FINISHED_OUTBOX_DAYS * 86_400_000)) };
  },
};
