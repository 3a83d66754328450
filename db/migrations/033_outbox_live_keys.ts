import { type Kysely, sql } from 'kysely';

/**
 * A key's rows still to deliver, tried or not: the statement that queues reply mails finds (and
 * locks) a reader's batch whose send failed and waits for its retry, and adds no second row beside it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_live_key on outbox (dedupe_key) where dedupe_key is not null and done_at is null and failed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists outbox_live_key`.execute(db);
}
