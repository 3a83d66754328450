import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../db';

const KEY_ID = 'altcha';

/** The signing secret every instance shares: made by whichever instance asks first. */
export async function signingSecret(db: Executor): Promise<string> {
  await db
    .insertInto('pow_keys')
    .values({ id: KEY_ID, secret: crypto.randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db.selectFrom('pow_keys').select('secret').where('id', '=', KEY_ID).executeTakeFirstOrThrow();
  return row.secret;
}

/** Claims a solved challenge for good; false when a post (on any instance) already used it. */
export async function claimChallenge(db: Executor, challenge: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('pow_used')
    .values({ challenge, expires_at: expiresAt })
    .onConflict((oc) => oc.column('challenge').doNothing())
    .returning('challenge')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Retention: a challenge past its expiry is refused for that alone, so its claim proves nothing any more. */
export async function pruneUsed(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('pow_used').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

export interface ChallengeContext {
  site_id: string;
  approved: number;
  taken_down: number;
  network10m: number;
  thread1m: number;
}

/**
 * What a challenge's cost depends on, in one round trip: the thread's site, the reader's standing
 * (trust: SPEC §11), and the posting speeds the speed signal reads (abuse_fingerprints).
 */
export async function challengeContext(
  db: Executor,
  args: { threadId: string; commenterId: string | null; ipHash: string | null; networkStart: Date; threadStart: Date; trustStart: Date },
): Promise<ChallengeContext | undefined> {
  const { threadId, commenterId, ipHash } = args;
  const { rows } = await sql<ChallengeContext>`
    select t.site_id,
      ${commenterId ? sql`(select count(*) from comments a where a.commenter_id = ${commenterId} and a.site_id = t.site_id and a.status = 'approved')` : sql`0`}::int as approved,
      ${commenterId ? sql`(select count(*) from abuse_samples s where s.commenter_id = ${commenterId} and s.site_id = t.site_id and s.label = 'spam' and s.created_at > ${args.trustStart})` : sql`0`}::int as taken_down,
      ${ipHash ? sql`(select count(*) from abuse_fingerprints f where f.site_id = t.site_id and f.ip_hash = ${ipHash} and f.created_at > ${args.networkStart})` : sql`0`}::int as network10m,
      (select count(*) from abuse_fingerprints f where f.thread_id = t.id and f.created_at > ${args.threadStart})::int as thread1m
    from threads t where t.id = ${threadId}`.execute(db);
  return rows[0];
}
