import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../db';

/** How long a key is remembered. */
export const KEY_TTL = sql`interval '1 day'`;
/**
 * A running claim older than this belongs to a process that died mid-request (requests time out
 * long before): another request may take it over instead of getting 409 for a day.
 */
const ABANDONED_AFTER = sql`interval '60 seconds'`;

export interface StoredKey {
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_body: unknown;
}

/**
 * Claims `(scope, key)` for one request, atomically: a new key, an expired one or an abandoned one
 * becomes ours (returns true); otherwise somebody else holds it (returns false).
 */
export async function claim(db: Db, scope: string, key: string, requestHash: string, owner: string): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_keys')
    .values({
      scope,
      key,
      request_hash: requestHash,
      state: 'running',
      owner,
      created_at: sql`now()`,
      expires_at: sql`now() + ${KEY_TTL}`,
    })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'key'])
        .doUpdateSet({
          request_hash: requestHash,
          state: 'running',
          owner,
          response_status: null,
          response_body: null,
          created_at: sql`now()`,
          expires_at: sql`now() + ${KEY_TTL}`,
        })
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.expires_at', '<', sql<Date>`now()`),
            eb.and([
              eb('idempotency_keys.state', '=', 'running'),
              eb('idempotency_keys.created_at', '<', sql<Date>`now() - ${ABANDONED_AFTER}`),
            ]),
          ]),
        ),
    )
    .returning('owner')
    .executeTakeFirst();
  return row?.owner === owner;
}

export async function findLive(db: Executor, scope: string, key: string): Promise<StoredKey | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'state', 'response_status', 'response_body'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('expires_at', '>=', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Records the response in the write's own transaction; false when the claim is no longer ours. */
export async function complete(
  trx: Tx | Db,
  scope: string,
  key: string,
  owner: string,
  status: number,
  body: unknown,
): Promise<boolean> {
  const result = await trx
    .updateTable('idempotency_keys')
    .set({ state: 'done', owner: null, response_status: status, response_body: JSON.stringify(body) })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a claim back after its request failed, so the client's retry runs again. */
export async function release(db: Db, scope: string, key: string, owner: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('owner', '=', owner)
    .where('state', '=', 'running')
    .execute();
}

export async function deleteExpired(db: Db): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
