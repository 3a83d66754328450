import { sql } from 'kysely';
import type { Ban } from '../../db/schema';
import type { Executor } from '../db';

/** A ban in force: not lifted, not expired. `alias`: the bans table's name in the query, if any. */
export function activeBan(alias?: string) {
  const col = (c: string) => sql.ref(alias ? `${alias}.${c}` : c);
  return sql<boolean>`${col('lifted_at')} is null and (${col('expires_at')} is null or ${col('expires_at')} > now())`;
}
const active = activeBan();

/**
 * The days of the site's active network bans whose hashing secret still exists: a request's
 * network can only be compared with a ban's by hashing it under that day's secret.
 */
export async function activeNetworkDays(db: Executor, siteId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('bans')
    .innerJoin('hash_keys', 'hash_keys.day', 'bans.network_day')
    .select('bans.network_day')
    .distinct()
    .where('bans.site_id', '=', siteId)
    .where('bans.network_hash', 'is not', null)
    .where(activeBan('bans'))
    .execute();
  return rows.map((r) => r.network_day!);
}

/** The longest-running active ban matching the commenter or one of the network hashes. */
export async function findActiveBan(
  db: Executor,
  siteId: string,
  commenterId: string | null,
  networkHashes: string[],
): Promise<Ban | undefined> {
  if (!commenterId && networkHashes.length === 0) return undefined;
  return db
    .selectFrom('bans')
    .selectAll()
    .where('site_id', '=', siteId)
    .where(active)
    .where((eb) =>
      eb.or([
        ...(commenterId ? [eb('commenter_id', '=', commenterId)] : []),
        ...(networkHashes.length ? [eb('network_hash', 'in', networkHashes)] : []),
      ]),
    )
    .orderBy(sql`expires_at desc nulls first`)
    .limit(1)
    .executeTakeFirst();
}

export async function insertBan(db: Executor, values: Omit<Ban, 'created_at' | 'lifted_at'>): Promise<Ban> {
  return db.insertInto('bans').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findBan(db: Executor, id: string): Promise<Ban | undefined> {
  return db.selectFrom('bans').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function liftBan(db: Executor, id: string): Promise<Ban | undefined> {
  return db
    .updateTable('bans')
    .set({ lifted_at: sql`now()` })
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function listBans(
  db: Executor,
  siteId: string,
  options: { active: boolean; limit: number; after?: { createdAt: string; id: string } },
) {
  let q = db
    .selectFrom('bans')
    .leftJoin('commenters', 'commenters.id', 'bans.commenter_id')
    .selectAll('bans')
    .select(['commenters.name as commenter_name', 'commenters.email as commenter_email'])
    .where('bans.site_id', '=', siteId);
  if (options.active) q = q.where(activeBan('bans'));
  if (options.after) {
    q = q.where(sql<boolean>`(bans.created_at, bans.id) < (${options.after.createdAt}::timestamptz, ${options.after.id})`);
  }
  return q.orderBy('bans.created_at', 'desc').orderBy('bans.id', 'desc').limit(options.limit).execute();
}

/** Active bans among some commenters (the queue shows who is banned already). */
export async function bannedAmong(db: Executor, siteId: string, commenterIds: string[]): Promise<Set<string>> {
  if (commenterIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('bans')
    .select('commenter_id')
    .where('site_id', '=', siteId)
    .where('commenter_id', 'in', commenterIds)
    .where(active)
    .execute();
  return new Set(rows.map((r) => r.commenter_id!));
}

/** Whether a commenter ever wrote on the site: a commenter elsewhere is not this site's to ban. */
export async function commenterOnSite(db: Executor, siteId: string, commenterId: string): Promise<boolean> {
  const row = await db
    .selectFrom('comments')
    .select('id')
    .where('commenter_id', '=', commenterId)
    .where('site_id', '=', siteId)
    .limit(1)
    .executeTakeFirst();
  return !!row;
}
