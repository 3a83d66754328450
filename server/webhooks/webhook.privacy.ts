import type { PolicyItem } from '../privacy/policy.texts';
import type { PrivacyExtension } from '../privacy/privacy.extension';
import * as repo from './webhook.repo';

/** How long the delivery log is kept: long enough to look into a receiver's bad week. */
export const DELIVERY_LOG_DAYS = 30;

/**
 * The delivery log keeps no payload, only which event (its type and what it was about: a comment's
 * or the reader's id), when, and how the receiver answered. Export lists the entries about a reader's
 * comments; erasure removes them; retention removes every entry after 30 days. The queued deliveries
 * themselves are outbox rows, covered by the outbox's own entry.
 */
export const webhookPrivacy: PrivacyExtension = {
  name: 'webhooks',
  async export(db, subject) {
    const rows = await repo.deliveriesAbout(db, subject.siteId, [subject.commenterId, ...subject.commentIds]);
    return { webhookDeliveries: rows.map((r) => ({ site: r.site_id, event: r.event_type, at: r.created_at.toISOString(), delivered: r.ok })) };
  },
  async erase(uow, subject) {
    return { webhookDeliveries: await repo.deleteDeliveriesAbout(uow.trx, subject.siteId, [subject.commenterId, ...subject.commentIds]) };
  },
  async retention(db, { now, site }) {
    return { webhookDeliveries: await repo.pruneDeliveries(db, site.id, new Date(now.getTime() - DELIVERY_LOG_DAYS * 86_400_000)) };
  },
};

/** What GET /privacy says of webhooks and Slack. */
export function webhookPolicyItems(language: 'en' | 'fr'): PolicyItem[] {
  return language === 'fr'
    ? [
        {
          id: 'webhooks',
          title: 'Notifications aux outils de la rédaction',
          what: 'Quand le site les a configurés, vos commentaires publics (nom affiché, texte, statut) sont envoyés à ses propres outils et à Slack, jamais votre e-mail ni votre réseau. Le journal des envois garde le type d’événement et l’heure, pas le contenu.',
          why: 'Pour que la rédaction modère et suive les commentaires dans ses outils.',
          howLong: `Envois en attente : jusqu’à leur livraison (ou l’effacement de vos données). Journal : ${DELIVERY_LOG_DAYS} jours.`,
        },
      ]
    : [
        {
          id: 'webhooks',
          title: 'Notifications to the newsroom’s tools',
          what: 'Where the site has set them up, your public comments (shown name, words, status) are sent to its own tools and to Slack; never your email or network. The delivery log keeps the event’s type and time, not its content.',
          why: 'So the newsroom can moderate and follow comments in its own tools.',
          howLong: `Queued deliveries: until delivered (or your data is erased). Delivery log: ${DELIVERY_LOG_DAYS} days.`,
        },
      ];
}
