import { sql } from 'kysely';
import type { PrivacyRequest } from '../../db/schema';
import type { Executor, Tx } from '../db';

/** Commenters who used this address and have anything on the site. */
export async function commentersByEmail(db: Executor, siteId: string, email: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    select m.id from commenters m
    where lower(m.email) = lower(${email})
      and (exists (select 1 from comments c where c.commenter_id = m.id and c.site_id = ${siteId})
        or exists (select 1 from reactions r join comments c on c.id = r.comment_id
                   where r.commenter_id = m.id and c.site_id = ${siteId})
        or exists (select 1 from flags f join comments c on c.id = f.comment_id
                   where f.commenter_id = m.id and c.site_id = ${siteId}))
    order by m.created_at, m.id`.execute(db);
  return result.rows.map((r) => r.id);
}

export async function findPending(db: Executor, siteId: string, email: string, kind: 'export' | 'erase') {
  return db
    .selectFrom('privacy_requests')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('kind', '=', kind)
    .where('status', '=', 'pending')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function insertRequest(
  db: Executor,
  values: { id: string; siteId: string; kind: 'export' | 'erase'; channel: 'mail' | 'admin'; email: string; tokenHash?: string; expiresAt?: Date },
): Promise<PrivacyRequest> {
  return db
    .insertInto('privacy_requests')
    .values({
      id: values.id,
      site_id: values.siteId,
      kind: values.kind,
      channel: values.channel,
      email: values.email,
      token_hash: values.tokenHash ?? null,
      expires_at: values.expiresAt ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findByTokenHash(db: Executor, tokenHash: string): Promise<PrivacyRequest | undefined> {
  return db.selectFrom('privacy_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function lockRequest(trx: Tx, id: string): Promise<PrivacyRequest | undefined> {
  return trx.selectFrom('privacy_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findRequest(db: Executor, id: string): Promise<PrivacyRequest | undefined> {
  return db.selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function forgetEmail(trx: Tx, id: string): Promise<void> {
  await trx.updateTable('privacy_requests').set({ email: null, token_hash: null }).where('id', '=', id).execute();
}

/** Done: the address and the link's secret go; what was done, by whom and when stays. */
export async function markDone(trx: Tx, id: string, by: string, outcome: Record<string, number>): Promise<PrivacyRequest> {
  return trx
    .updateTable('privacy_requests')
    .set({ status: 'done', email: null, token_hash: null, completed_at: sql`now()`, completed_by: by, outcome: JSON.stringify(outcome) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listPending(db: Executor, siteId: string, channel?: 'mail' | 'admin') {
  let q = db.selectFrom('privacy_requests').selectAll().where('site_id', '=', siteId).where('status', '=', 'pending');
  if (channel) q = q.where('channel', '=', channel);
  return q.orderBy('created_at').orderBy('id').limit(500).execute();
}
