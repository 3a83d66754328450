/**
 * Changes only notifications listen to (webhooks, mail): a thread created, closed or reopened, a
 * poll closed, a comment's words edited, a webhook endpoint switched off. Readers already learn of them through the thread stream; these
 * say what happened in the terms of SPEC §10's events, inside the change's unit of work, so the
 * outbox rows commit with it.
 */
import type { UnitOfWork } from '../db';
import type { DomainEvents } from '../events';

declare module '../events' {
  interface DomainEvents {
    /** A thread was created, closed or reopened. */
    'thread.lifecycle': { siteId: string; threadId: string; type: 'thread.created' | 'thread.closed' | 'thread.reopened' };
    /** A poll was closed by its manager, or reached its closing time. */
    'poll.closed': { siteId: string; threadId: string; pollId: string };
    /** Its author edited a comment's words. */
    'comment.edited': { siteId: string; threadId: string; commentId: string; commenterId: string | null };
    /** A webhook endpoint failing for 3 days was switched off: the site's admins are told. */
    'webhook.switched_off': { siteId: string; endpointId: string; url: string; description: string; failingSince: string | null };
  }
}

export type NoticeName = 'thread.lifecycle' | 'poll.closed' | 'comment.edited';

export async function recordNotice<K extends NoticeName>(uow: UnitOfWork, name: K, payload: DomainEvents[K]): Promise<void> {
  await uow.record(name, payload);
}
