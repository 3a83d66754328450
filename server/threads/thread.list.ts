import { sql } from 'kysely';
import { z } from 'zod';
import { authorize, type StaffActor } from '../members/permissions';
import { decodeKeyset, encodeKeyset } from '../keyset';
import { SiteQuery } from '../moderation/moderation.schema';
import { type PollDeps, pollsForThread } from '../polls/poll.service';
import { getSite } from '../sites/site.service';
import { threadView } from './thread.view';

export const ThreadListQuery = z.object({
  site: SiteQuery,
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
export type ThreadListInput = z.infer<typeof ThreadListQuery>;

/**
 * A site's threads, newest first, with their polls: what the dashboard's thread administration
 * shows. Journalists see it too (they post and run polls); keyset over (created_at, id).
 */
export async function listThreads(deps: PollDeps, actor: StaffActor, query: ThreadListInput) {
  authorize(actor, query.site, 'post');
  const site = await getSite(deps.db, query.site);
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  let q = deps.db.selectFrom('threads').selectAll().where('site_id', '=', site.id);
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const items = await Promise.all(page.map(async (t) => threadView(t, { polls: await pollsForThread(deps, null, t.id), now: deps.clock.now() })));
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeKeyset({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
  };
}
