import type { Thread } from '../../db/schema';
import type { Db } from '../db';
import { errors } from '../errors';
import * as siteRepo from '../sites/site.repo';
import * as repo from './thread.repo';
import type { ResolveThreadInput } from './thread.schema';

export interface ResolveActor {
  /** The request's Origin header, when a browser sent one. */
  origin: string | null;
  /** A site API key authorises creation regardless of origin (server-to-server). */
  apiKeySiteId?: string | null;
}

export async function resolveThread(
  deps: { db: Db },
  actor: ResolveActor,
  input: ResolveThreadInput,
): Promise<{ thread: Thread; created: boolean }> {
  const site = await siteRepo.findSite(deps.db, input.site);
  if (!site) throw errors.notFound('The site');
  const existing = await repo.findThreadByKey(deps.db, site.id, input.key);
  if (existing) return { thread: existing, created: false };
  const origins = site.origins as unknown as string[];
  const allowed = actor.apiKeySiteId === site.id || (actor.origin !== null && origins.includes(actor.origin));
  if (!allowed) {
    throw errors.forbidden(
      'origin_not_allowed',
      'This thread does not exist yet, and only a page on one of the site’s allowed origins (or an API key) can create it.',
    );
  }
  return repo.insertThread(deps.db, { siteId: site.id, key: input.key, url: input.url, title: input.title });
}

export async function getThread(deps: { db: Db }, id: string): Promise<Thread> {
  const thread = await repo.findThread(deps.db, id);
  if (!thread) throw errors.notFound('The thread');
  return thread;
}
