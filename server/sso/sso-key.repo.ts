import { sql } from 'kysely';
import type { SsoKey } from '../../db/schema';
import type { Executor, Tx } from '../db';

export async function insertKey(trx: Tx, key: Omit<SsoKey, 'created_at' | 'last_used_at' | 'retired_at' | 'public_jwk'> & { public_jwk: Record<string, unknown> | null }): Promise<SsoKey> {
  return trx
    .insertInto('sso_keys')
    .values({ ...key, public_jwk: key.public_jwk ? JSON.stringify(key.public_jwk) : null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listKeys(db: Executor, siteId: string): Promise<SsoKey[]> {
  return db.selectFrom('sso_keys').selectAll().where('site_id', '=', siteId).orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function liveKidTaken(db: Executor, siteId: string, kid: string): Promise<boolean> {
  const row = await db.selectFrom('sso_keys').select('id').where('site_id', '=', siteId).where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
  return !!row;
}

/** The live keys a token naming `kid` may be checked with: that key, and the site's JWKS sources. */
export async function candidateKeys(db: Executor, siteId: string, kid: string): Promise<SsoKey[]> {
  return db
    .selectFrom('sso_keys')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('retired_at', 'is', null)
    .where((eb) => eb.or([eb('kid', '=', kid), eb('kind', '=', 'jwks')]))
    .orderBy('kind')
    .execute();
}

/** Retires a key at once; a retired key stays listed. Returns undefined when it is not this site's. */
export async function retireKey(trx: Tx, siteId: string, id: string): Promise<SsoKey | undefined> {
  return trx
    .updateTable('sso_keys')
    .set({ retired_at: sql`coalesce(retired_at, now())` })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function markUsed(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('sso_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
