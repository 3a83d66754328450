import { type Kysely, sql } from 'kysely';

/**
 * The claim's paths (outbox.repo.ts `claimDue`). A lane's first due row is found lane by lane: the
 * lane index now carries each row's due time, so lanes with nothing due are stepped over in the index
 * alone. Rows outside any lane (mail, digests, privacy notices) get an index of their own, oldest
 * first. Scanning every due row in order had each claim read a long lane's whole backlog (a busy
 * thread's webhooks) behind its head.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_lane_due on outbox (lane, id) include (next_attempt_at) where lane is not null and done_at is null and failed_at is null`.execute(db);
  await sql`drop index outbox_lane`.execute(db);
  await sql`create index outbox_free_due on outbox (next_attempt_at, id) where lane is null and done_at is null and failed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index outbox_free_due`.execute(db);
  await sql`create index outbox_lane on outbox (lane, id) where lane is not null and done_at is null and failed_at is null`.execute(db);
  await sql`drop index outbox_lane_due`.execute(db);
}
