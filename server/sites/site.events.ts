/**
 * The site-level sibling of `recordThreadEvent` (SPEC §13 "Events, outbox and listeners"): changes
 * that concern a site rather than a thread's readers (a report, a moderation decision, a status
 * change, a ban, an erasure). Recording one runs the event's in-transaction writers (the outbox rows
 * of mail and webhooks) inside the change's unit of work, then publishes it after commit (queues
 * and counts on the moderators' sockets). A change nobody writes for costs nothing more than `emit`.
 */
import type { UnitOfWork } from '../db';
import { bumpQueueVersion } from './site.repo';
import type { DomainEvents } from '../events';

declare module '../events' {
  interface DomainEvents {
    /** A ban was created (by a moderator or an API key). */
    'ban.created': { siteId: string; banId: string; commenterId: string | null; expiresAt: string | null };
    /** A commenter's data was erased: on one site (`siteId`) or everywhere (null). */
    /** `sites`: where they had written (the sites whose webhooks are told), for an erasure everywhere. */
    'commenter.erased': { siteId: string | null; commenterId: string; sites?: string[] };
  }
}

export type SiteEventName = 'comment.flagged' | 'moderation.decided' | 'comment.status' | 'ban.created' | 'commenter.erased';

const QUEUED = new Set(['pending', 'spam', 'rejected']);

/** Whether the change moves a comment into or out of a moderation queue (what the queue counter counts). */
function movesAQueue(name: SiteEventName, payload: DomainEvents[SiteEventName]): boolean {
  if (name === 'comment.status') {
    const { from, to } = payload as DomainEvents['comment.status'];
    return (from !== null && QUEUED.has(from)) || QUEUED.has(to);
  }
  if (name === 'comment.flagged') return (payload as DomainEvents['comment.flagged']).entered;
  // Any decision on an approved comment clears its reports: it leaves the flagged queue.
  if (name === 'moderation.decided') return (payload as DomainEvents['moderation.decided']).from === 'approved';
  return false;
}

export async function recordSiteEvent<K extends SiteEventName>(uow: UnitOfWork, name: K, payload: DomainEvents[K]): Promise<void> {
  if (movesAQueue(name, payload) && 'siteId' in payload && payload.siteId) {
    const queueVersion = await bumpQueueVersion(uow.trx, payload.siteId);
    payload = { ...payload, queueVersion };
  }
  await uow.record(name, payload);
}
