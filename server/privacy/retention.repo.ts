import { sql } from 'kysely';
import type { Executor } from '../db';
import { WITHOUT_AUTHOR } from './erase.repo';

/**
 * The SQL of the retention job. Purges work in batches, each its own short statement, so a large
 * backlog never holds many row locks at once; rows another transaction holds are skipped and picked
 * up next run.
 */
export const BATCH = 2000;

/** Blanks network hashes and user agents on a site's comments older than `before`. */
export async function purgeNetworkBatch(db: Executor, siteId: string, before: Date) {
  const result = await sql<{ had_hash: boolean; had_agent: boolean }>`
    with target as (
      select id, ip_hash is not null as had_hash, user_agent is not null as had_agent
      from comments
      where site_id = ${siteId} and created_at < ${before}
        and (ip_hash is not null or user_agent is not null)
      limit ${BATCH}
      for update skip locked
    )
    update comments c set ip_hash = null, user_agent = null
    from target where c.id = target.id
    returning target.had_hash, target.had_agent`.execute(db);
  return {
    rows: result.rows.length,
    hashes: result.rows.filter((r) => r.had_hash).length,
    agents: result.rows.filter((r) => r.had_agent).length,
  };
}

/** One batch of a site's rejected and spam comments older than `before`. */
export async function expiredRejected(db: Executor, siteId: string, before: Date) {
  const result = await sql<{ id: string; thread_id: string; referenced: boolean }>`
    select c.id, c.thread_id,
      exists (select 1 from comments r where r.parent_id = c.id or r.reply_to_id = c.id or r.root_id = c.id) as referenced
    from comments c
    where c.site_id = ${siteId} and c.status in ('rejected', 'spam') and c.created_at < ${before}
      and (c.body_src <> '' or c.commenter_id is not null or c.author_name is not null)
    order by c.created_at
    limit ${BATCH}`.execute(db);
  return result.rows;
}

export async function deleteComments(db: Executor, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('comments').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A rejected comment that others' comments still point to (a reply posted before the decision)
 * cannot be deleted; it keeps its place and nothing else, like an erased comment.
 */
export async function blankComments(db: Executor, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await db.deleteFrom('comment_edits').where('comment_id', 'in', ids).execute();
  const result = await db
    .updateTable('comments')
    .set(WITHOUT_AUTHOR)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function purgeIdempotencyKeys(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Mailed links nobody used in time: the request never happened, so the row (and email) goes. */
export async function purgeExpiredRequests(db: Executor, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('privacy_requests')
    .where('status', '=', 'pending')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function destroyHashKeysBefore(db: Executor, day: string): Promise<number> {
  const result = await db.deleteFrom('hash_keys').where('day', '<', day).executeTakeFirst();
  return Number(result.numDeletedRows);
}
