import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, Tx } from '../db';
import { newId } from '../ids';
import { activeBan } from '../moderation/ban.repo';

/**
 * A banned SSO reader who erases their data can come back under the same account, unlike an
 * anonymous one whose identity is gone for good (SPEC §13). So the ban in force at the erasure
 * survives as an HMAC of `(site, sub)` under a random key of this server, with its end and nothing
 * else — no name, reason or comment — and the next sign-in of that account gets the ban back.
 * The key lives in the database, as the network-hashing secrets do, so every instance hashes alike.
 */
const KEY_NAME = 'sso_erased_bans';

async function hashKey(db: Executor): Promise<Buffer> {
  let row = await db.selectFrom('secret_keys').select('secret').where('name', '=', KEY_NAME).executeTakeFirst();
  if (!row) {
    await db
      .insertInto('secret_keys')
      .values({ name: KEY_NAME, secret: crypto.randomBytes(32).toString('base64') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await db.selectFrom('secret_keys').select('secret').where('name', '=', KEY_NAME).executeTakeFirstOrThrow();
  }
  return Buffer.from(row.secret, 'base64');
}

export async function subHash(db: Executor, siteId: string, sub: string): Promise<string> {
  return crypto.createHmac('sha256', await hashKey(db)).update(`${siteId}\0${sub}`).digest('base64url');
}

/** At erasure: the longest ban in force on the commenter, kept as the account's hash. 1 when one was kept. */
export async function keepBan(trx: Tx, identity: { site_id: string; sub: string }, commenterId: string): Promise<number> {
  const ban = await trx
    .selectFrom('bans')
    .select('expires_at')
    .where('site_id', '=', identity.site_id)
    .where('commenter_id', '=', commenterId)
    .where(activeBan())
    .orderBy(sql`expires_at desc nulls first`)
    .limit(1)
    .executeTakeFirst();
  if (!ban) return 0;
  await trx
    .insertInto('sso_erased_bans')
    .values({ site_id: identity.site_id, sub_hash: await subHash(trx, identity.site_id, identity.sub), expires_at: ban.expires_at })
    // Erased, back, banned and erased again: the longer of the two holds.
    .onConflict((oc) =>
      oc.columns(['site_id', 'sub_hash']).doUpdateSet({
        expires_at: sql`case when sso_erased_bans.expires_at is null or excluded.expires_at is null then null else greatest(sso_erased_bans.expires_at, excluded.expires_at) end`,
      }),
    )
    .execute();
  return 1;
}

/** At sign-in: a ban kept from an erasure of this account, still running, goes back on its commenter. */
export async function restoreBan(trx: Tx, siteId: string, sub: string, commenterId: string, now: Date): Promise<boolean> {
  const hash = await subHash(trx, siteId, sub);
  const kept = await trx
    .deleteFrom('sso_erased_bans')
    .where('site_id', '=', siteId)
    .where('sub_hash', '=', hash)
    .returning('expires_at')
    .executeTakeFirst();
  if (!kept || (kept.expires_at && kept.expires_at <= now)) return false;
  await trx
    .insertInto('bans')
    .values({
      id: newId(),
      site_id: siteId,
      commenter_id: commenterId,
      network_hash: null,
      network_day: null,
      comment_id: null,
      reason: 'Kept from before the reader erased their data',
      created_by_type: 'system',
      created_by_id: null,
      created_by_name: null,
      expires_at: kept.expires_at,
    })
    .execute();
  return true;
}

/** Retention: kept bans that have ended protect no one. */
export async function pruneEnded(db: Executor, siteId: string, now: Date): Promise<number> {
  const result = await db.deleteFrom('sso_erased_bans').where('site_id', '=', siteId).where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
