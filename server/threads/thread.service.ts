import type { Thread } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import type { EventBus } from '../events';
import { errors } from '../errors';
import type { FloodGuard } from '../limits/flood';
import * as siteRepo from '../sites/site.repo';
import * as repo from './thread.repo';
import type { ResolveThreadInput } from './thread.schema';
import { recordNotice } from '../sites/notice.events';
import type { Clock } from '../clock';
import { withSettings } from '../sites/site.service';
import { scheduleThread } from './thread.schedule';

export interface ResolveActor {
  /** The request's Origin header, when a browser sent one. */
  origin: string | null;
  /** A site API key authorises creation regardless of origin (server-to-server). */
  apiKeySiteId?: string | null;
  /** The request's hashed network: creation through an Origin is budgeted per network and site. */
  network?: string | null;
}

/**
 * Finds a thread, or creates it for a page of the site. `Origin` is only a header outside a
 * browser, so creation through it is held to what a real page could ask: a `url` on one of the
 * site's own origins (the first resolve fixes the thread's url and title for good) and a budget of
 * new threads per network. The site's API keys are trusted servers and skip both.
 */
export async function resolveThread(
  deps: { db: Db; bus: EventBus; limits: FloodGuard; clock: Clock },
  actor: ResolveActor,
  input: ResolveThreadInput,
): Promise<{ thread: Thread; created: boolean }> {
  const site = await siteRepo.findSite(deps.db, input.site);
  if (!site) throw errors.notFound('The site');
  const existing = await repo.findThreadByKey(deps.db, site.id, input.key);
  if (existing) return { thread: existing, created: false };
  if (actor.apiKeySiteId !== site.id) {
    const origins = site.origins as unknown as string[];
    if (actor.origin === null || !origins.includes(actor.origin)) {
      throw errors.forbidden(
        'origin_not_allowed',
        'This thread does not exist yet, and only a page on one of the site’s allowed origins (or an API key) can create it.',
      );
    }
    if (input.url !== undefined && !origins.includes(new URL(input.url).origin)) {
      throw errors.forbidden('url_not_allowed', 'A new thread’s url must be a page on one of the site’s allowed origins.');
    }
    await deps.limits.consume('thread', { commenterId: null, network: actor.network ? `${site.id}:${actor.network}` : null });
  }
  // In a unit of work, so the notifications of a new thread commit with it.
  return inTransaction(deps, async (uow) => {
    // The site's window: a new thread closes by itself so many hours after it was created.
    const now = deps.clock.now();
    const hours = withSettings(site).settings.closeAfterHours;
    const closesAt = hours > 0 ? new Date(now.getTime() + hours * 3_600_000) : null;
    const result = await repo.insertThread(uow.trx, { siteId: site.id, key: input.key, url: input.url, title: input.title, closesAt });
    if (result.created) {
      await recordNotice(uow, 'thread.lifecycle', { siteId: site.id, threadId: result.thread.id, type: 'thread.created' });
      await scheduleThread(uow, result.thread, now);
    }
    return result;
  });
}

export async function getThread(deps: { db: Db }, id: string): Promise<Thread> {
  const thread = await repo.findThread(deps.db, id);
  if (!thread) throw errors.notFound('The thread');
  return thread;
}
