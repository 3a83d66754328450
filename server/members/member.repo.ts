import { sql } from 'kysely';
import type { ApiKey, Member, MemberRole } from '../../db/schema';
import type { Executor } from '../db';

export async function findMemberByEmail(db: Executor, email: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findMember(db: Executor, id: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countMembers(db: Executor): Promise<number> {
  const row = await db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts unless the email is taken (a concurrent first start, say); undefined then. */
export async function insertMember(
  db: Executor,
  values: { id: string; email: string; name: string; passwordHash: string },
): Promise<Member | undefined> {
  return db
    .insertInto('members')
    .values({ id: values.id, email: values.email, name: values.name, password_hash: values.passwordHash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function setPassword(db: Executor, memberId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('members')
    .set({ password_hash: passwordHash, password_changed_at: sql`now()` })
    .where('id', '=', memberId)
    .execute();
}

export async function rolesOf(db: Executor, memberId: string) {
  return db
    .selectFrom('site_members')
    .innerJoin('sites', 'sites.id', 'site_members.site_id')
    .select(['site_members.site_id', 'site_members.role', 'sites.name'])
    .where('site_members.member_id', '=', memberId)
    .orderBy('site_members.site_id')
    .execute();
}

export async function roleOn(db: Executor, memberId: string, siteId: string): Promise<MemberRole | null> {
  const row = await db
    .selectFrom('site_members')
    .select('role')
    .where('member_id', '=', memberId)
    .where('site_id', '=', siteId)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function upsertRole(db: Executor, siteId: string, memberId: string, role: MemberRole): Promise<void> {
  await db
    .insertInto('site_members')
    .values({ site_id: siteId, member_id: memberId, role })
    .onConflict((oc) => oc.columns(['site_id', 'member_id']).doUpdateSet({ role }))
    .execute();
}

export async function removeRole(db: Executor, siteId: string, memberId: string): Promise<boolean> {
  const result = await db.deleteFrom('site_members').where('site_id', '=', siteId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function siteMembers(db: Executor, siteId: string) {
  return db
    .selectFrom('site_members')
    .innerJoin('members', 'members.id', 'site_members.member_id')
    .select(['members.id', 'members.email', 'members.name', 'site_members.role', 'site_members.created_at'])
    .where('site_members.site_id', '=', siteId)
    .orderBy('members.email')
    .execute();
}

/** Locks a site's role rows, so two admins cannot remove each other and leave the site with none. */
export async function lockSiteAdmins(db: Executor, siteId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('site_members')
    .select('member_id')
    .where('site_id', '=', siteId)
    .where('role', '=', 'admin')
    .forUpdate()
    .execute();
  return rows.map((r) => r.member_id);
}

// --- sessions ---

export async function insertSession(db: Executor, values: { tokenHash: string; memberId: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('member_sessions')
    .values({ token_hash: values.tokenHash, member_id: values.memberId, expires_at: values.expiresAt })
    .execute();
}

export async function findSession(db: Executor, tokenHash: string) {
  return db
    .selectFrom('member_sessions')
    .innerJoin('members', 'members.id', 'member_sessions.member_id')
    .selectAll('members')
    .select([
      'member_sessions.token_hash',
      'member_sessions.last_seen_at',
      'member_sessions.expires_at',
      'member_sessions.created_at as session_created_at',
    ])
    .where('member_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: string): Promise<void> {
  await db.updateTable('member_sessions').set({ last_seen_at: sql`now()` }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('member_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends a member's sessions (all, or all but one); returns the ended sessions' token hashes. */
export async function deleteSessionsOf(db: Executor, memberId: string, except?: string): Promise<string[]> {
  let q = db.deleteFrom('member_sessions').where('member_id', '=', memberId);
  if (except) q = q.where('token_hash', '!=', except);
  return (await q.returning('token_hash').execute()).map((r) => r.token_hash);
}

/** Sessions past their end or idle too long; they would be refused anyway, this keeps the table small. */
export async function deleteExpiredSessions(db: Executor, idleMs: number): Promise<void> {
  const now = Date.now();
  await db
    .deleteFrom('member_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', new Date(now)), eb('last_seen_at', '<', new Date(now - idleMs))]))
    .execute();
}

// --- API keys ---

export async function insertApiKey(
  db: Executor,
  values: { id: string; siteId: string; name: string; keyHash: string; keyPrefix: string; createdBy: string | null },
): Promise<ApiKey> {
  return db
    .insertInto('api_keys')
    .values({
      id: values.id,
      site_id: values.siteId,
      name: values.name,
      key_hash: values.keyHash,
      key_prefix: values.keyPrefix,
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiKeyByHash(db: Executor, keyHash: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findApiKey(db: Executor, siteId: string, id: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

export async function findApiKeyById(db: Executor, id: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listApiKeys(db: Executor, siteId: string): Promise<ApiKey[]> {
  return db.selectFrom('api_keys').selectAll().where('site_id', '=', siteId).orderBy('created_at', 'desc').execute();
}

export async function revokeApiKey(db: Executor, id: string): Promise<ApiKey | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function touchApiKey(db: Executor, id: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: sql`now()` }).where('id', '=', id).execute();
}

export async function insertPasswordLink(db: Executor, values: { tokenHash: string; memberId: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('member_password_links').values({ token_hash: values.tokenHash, member_id: values.memberId, expires_at: values.expiresAt }).execute();
}

/** Uses up a link: deletes it and returns its member, or undefined when it is unknown or expired. */
export async function takePasswordLink(db: Executor, tokenHash: string, now: Date): Promise<string | undefined> {
  await db.deleteFrom('member_password_links').where('expires_at', '<=', now).execute();
  const row = await db.deleteFrom('member_password_links').where('token_hash', '=', tokenHash).returning('member_id').executeTakeFirst();
  return row?.member_id;
}
