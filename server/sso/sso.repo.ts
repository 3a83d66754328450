import { sql } from 'kysely';
import type { Commenter } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** The SQL of sign-in: identities, per-device tokens, single-use jti's and exchange codes. */

export interface Profile {
  name: string | null;
  email: string | null;
  website: string | null;
  reader_badge: string | null;
  email_verified: boolean;
}

export async function findIdentity(db: Executor, siteId: string, sub: string): Promise<Commenter | undefined> {
  return db
    .selectFrom('sso_identities as i')
    .innerJoin('commenters as c', 'c.id', 'i.commenter_id')
    .selectAll('c')
    .where('i.site_id', '=', siteId)
    .where('i.sub', '=', sub)
    .executeTakeFirst();
}

/**
 * The one commenter of `(site, sub)`, created on a first sign-in. Two first sign-ins at once: the
 * identity's primary key lets one win; the loser's fresh commenter row is removed again.
 */
export async function upsertIdentity(trx: Tx, siteId: string, sub: string, newId: string, profile: Profile): Promise<Commenter> {
  const existing = await trx.selectFrom('sso_identities').select('commenter_id').where('site_id', '=', siteId).where('sub', '=', sub).forUpdate().executeTakeFirst();
  let commenterId = existing?.commenter_id;
  if (!commenterId) {
    await trx.insertInto('commenters').values({ id: newId, token_hash: null, sso_site_id: siteId, ...profile }).execute();
    const won = await trx
      .insertInto('sso_identities')
      .values({ site_id: siteId, sub, commenter_id: newId })
      .onConflict((oc) => oc.columns(['site_id', 'sub']).doUpdateSet({ last_login_at: sql`now()` }))
      .returning('commenter_id')
      .executeTakeFirstOrThrow();
    commenterId = won.commenter_id;
    if (commenterId !== newId) await trx.deleteFrom('commenters').where('id', '=', newId).execute();
  } else {
    await trx.updateTable('sso_identities').set({ last_login_at: sql`now()` }).where('site_id', '=', siteId).where('sub', '=', sub).execute();
  }
  return trx.updateTable('commenters').set(profile).where('id', '=', commenterId).returningAll().executeTakeFirstOrThrow();
}

export async function updateProfile(trx: Tx, commenterId: string, profile: Partial<Profile>): Promise<Commenter> {
  return trx.updateTable('commenters').set(profile).where('id', '=', commenterId).returningAll().executeTakeFirstOrThrow();
}

export async function insertToken(trx: Tx, commenterId: string, tokenHash: string): Promise<void> {
  await trx.insertInto('commenter_tokens').values({ token_hash: tokenHash, commenter_id: commenterId }).execute();
}

export async function tokenOwner(db: Executor, tokenHash: string): Promise<string | undefined> {
  const row = await db.selectFrom('commenter_tokens').select('commenter_id').where('token_hash', '=', tokenHash).executeTakeFirst();
  return row?.commenter_id;
}

export async function revokeTokens(trx: Tx, commenterId: string): Promise<number> {
  const result = await trx.deleteFrom('commenter_tokens').where('commenter_id', '=', commenterId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function tokenCount(db: Executor, commenterId: string): Promise<number> {
  const row = await db.selectFrom('commenter_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('commenter_id', '=', commenterId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Claims a jti for good; false when another sign-in (on any instance) already did. */
export async function claimJti(trx: Tx, row: { site_id: string; jti_hash: string; request_hash: string; expires_at: Date }): Promise<boolean> {
  const inserted = await trx.insertInto('sso_jtis').values(row).onConflict((oc) => oc.doNothing()).returning('jti_hash').executeTakeFirst();
  return !!inserted;
}

export async function findJti(db: Executor, siteId: string, jtiHash: string) {
  return db.selectFrom('sso_jtis').selectAll().where('site_id', '=', siteId).where('jti_hash', '=', jtiHash).executeTakeFirst();
}

export async function sealJti(trx: Tx, siteId: string, jtiHash: string, sealed: string): Promise<void> {
  await trx.updateTable('sso_jtis').set({ sealed }).where('site_id', '=', siteId).where('jti_hash', '=', jtiHash).execute();
}

export async function insertCode(db: Executor, row: { code_hash: string; site_id: string; sub: string; claims: Record<string, unknown>; expires_at: Date }) {
  await db.insertInto('sso_codes').values({ ...row, claims: JSON.stringify(row.claims) }).execute();
}

/** Takes an unused, unexpired code; undefined when it is used, expired or unknown. */
export async function takeCode(trx: Tx, siteId: string, codeHash: string, now: Date) {
  return trx
    .updateTable('sso_codes')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('site_id', '=', siteId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function findCode(db: Executor, siteId: string, codeHash: string) {
  return db.selectFrom('sso_codes').selectAll().where('code_hash', '=', codeHash).where('site_id', '=', siteId).executeTakeFirst();
}

export async function sealCode(trx: Tx, codeHash: string, sealed: string): Promise<void> {
  await trx.updateTable('sso_codes').set({ sealed }).where('code_hash', '=', codeHash).execute();
}

/** Retention: a site's jti's and codes past their expiry prove nothing any more. */
export async function pruneExpired(db: Executor, siteId: string, before: Date): Promise<{ jtis: number; codes: number }> {
  const jtis = await db.deleteFrom('sso_jtis').where('site_id', '=', siteId).where('expires_at', '<', before).executeTakeFirst();
  const codes = await db.deleteFrom('sso_codes').where('site_id', '=', siteId).where('expires_at', '<', before).executeTakeFirst();
  return { jtis: Number(jtis.numDeletedRows), codes: Number(codes.numDeletedRows) };
}

export async function identityOf(db: Executor, commenterId: string) {
  return db
    .selectFrom('sso_identities as i')
    .innerJoin('commenters as c', 'c.id', 'i.commenter_id')
    .selectAll('i')
    .select(['c.reader_badge', 'c.email_verified'])
    .where('i.commenter_id', '=', commenterId)
    .executeTakeFirst();
}

/** Erasure: the identity, its per-device tokens and its codes not yet exchanged. */
export async function forgetIdentity(trx: Tx, commenterId: string): Promise<{ identities: number; tokens: number; codes: number }> {
  const identity = await identityOf(trx, commenterId);
  const tokens = await revokeTokens(trx, commenterId);
  if (!identity) return { identities: 0, tokens, codes: 0 };
  const codes = await trx.deleteFrom('sso_codes').where('site_id', '=', identity.site_id).where('sub', '=', identity.sub).executeTakeFirst();
  await trx.deleteFrom('sso_identities').where('commenter_id', '=', commenterId).execute();
  return { identities: 1, tokens, codes: Number(codes.numDeletedRows) };
}
