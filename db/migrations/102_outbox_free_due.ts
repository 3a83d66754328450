import { type Kysely, sql } from 'kysely';

/**
 * The claim's path for rows outside any lane (mail, digests, privacy notices), oldest first. A lane's
 * rows are found by their lane's head (outbox_lane) instead: scanning every due row in order had each
 * claim read a long lane's whole backlog (a busy thread's webhooks) behind its head.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_free_due on outbox (next_attempt_at, id) where lane is null and done_at is null and failed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index outbox_free_due`.execute(db);
}
