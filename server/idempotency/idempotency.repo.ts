import { sql } from 'kysely';
import { type Db, type Executor, PREPARED, trueOrFail, type Tx } from '../db';

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
  const { rows } = await sql<{ owner: string }>`${PREPARED}${claimStatement(scope, key, requestHash, owner)}`.execute(db);
  return rows[0]?.owner === owner;
}

/**
 * `claim` as an insert to run inside another statement (the write's first read): it returns the
 * owner when the claim is ours, no row otherwise.
 *
 * A claim is committed without waiting for the disk (`synchronous_commit` off for its statement
 * alone): it only marks a request as running. The write it guards commits synchronously, which
 * flushes the log up to and including the claim, so a claim is lost in a crash only if its write
 * was lost too, and then the client's retry rightly runs again.
 */
export function claimStatement(scope: string, key: string, requestHash: string, owner: string) {
  return sql<{ owner: string }>`
    insert into idempotency_keys (scope, key, request_hash, state, owner, created_at, expires_at)
    select ${scope}, ${key}, ${requestHash}, 'running', ${owner}, now(), now() + ${KEY_TTL}
    from (select set_config('synchronous_commit', 'off', true)) as unflushed
    on conflict (scope, key) do update set
      request_hash = excluded.request_hash, state = 'running', owner = excluded.owner,
      response_status = null, response_body = null, created_at = now(), expires_at = now() + ${KEY_TTL}
    where idempotency_keys.expires_at < now()
      or (idempotency_keys.state = 'running' and idempotency_keys.created_at < now() - ${ABANDONED_AFTER})
    returning owner`;
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

/** The message `completeManyStatement` fails with when a claim is no longer ours. */
export const CLAIM_LOST = 'parley: an idempotency claim was taken over';

/**
 * `complete` for several claims in one statement, to run just before the commit (see
 * transactionCommittingWith): it fails (`trueOrFail`, with `CLAIM_LOST`) unless every claim was
 * still ours, so that the transaction rolls back rather than risk a second write.
 */
export function completeManyStatement(items: Array<{ scope: string; key: string; owner: string; status: number; body: unknown }>) {
  // Not PREPARED: on PostgreSQL it travels inlined, with the commit (a simple query).
  const expected = sql.lit(items.length);
  // The keys are also given to the table's own columns, as constant arrays: the planner then probes
  // the primary key for each, rather than hashing the whole table to join it with a set of rows
  // whose size it cannot know. Scopes and keys never contain a comma (`c:<id>`, `n:<day>:<base64url>`, hex).
  const list = (values: string[]) => {
    if (values.some((v) => v.includes(','))) throw new Error('completeManyStatement: a scope or key contains a comma');
    return sql`string_to_array(${[...new Set(values)].join(',')}, ',')`;
  };
  return sql`
    with done as (
      update idempotency_keys k
      set state = 'done', owner = null, response_status = v.status, response_body = v.body
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as v(scope text, key text, owner text, status int, body jsonb)
      where k.scope = any(${list(items.map((i) => i.scope))}) and k.key = any(${list(items.map((i) => i.key))})
        and k.scope = v.scope and k.key = v.key and k.owner = v.owner
      returning 1
    )
    select ${trueOrFail(sql`n = ${expected}`, CLAIM_LOST, sql`n || ' of ' || ${expected}`)} as complete
    from (select count(*) as n from done) as counted`;
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
