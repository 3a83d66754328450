import { type Kysely, sql } from 'kysely';

/**
 * The outbox (SPEC §10, §13): a notification is a row written in the transaction of the change that
 * causes it, and delivered later by a worker in any instance. A worker claims due rows with
 * `FOR UPDATE SKIP LOCKED` in one short statement and leases them (`locked_until`), so no
 * transaction is open while it sends, and a row whose worker died is claimed again once its lease
 * has run out. `uid` names one delivery (a mail's Message-ID, a webhook-id): a retry keeps it.
 *
 * `lane`: rows of one lane are delivered one at a time in id order (a thread's webhooks). `dedupe_key`:
 * at most one row not yet tried per key (a reader's batch of replies collects into one row).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('lane', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('cascade'))
    // The reader a row concerns (export, erasure); null for rows about nobody in particular.
    .addColumn('commenter_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .execute();
  // The claim's path: due rows still to deliver, oldest first.
  await sql`create index outbox_due on outbox (next_attempt_at, id) where done_at is null and failed_at is null`.execute(db);
  // A lane's head: the lowest id still to deliver.
  await sql`create index outbox_lane on outbox (lane, id) where lane is not null and done_at is null and failed_at is null`.execute(db);
  await sql`create unique index outbox_dedupe on outbox (dedupe_key) where dedupe_key is not null and attempts = 0 and done_at is null and failed_at is null`.execute(db);
  await sql`create index outbox_commenter on outbox (commenter_id) where commenter_id is not null`.execute(db);
  // Retention removes finished rows.
  await sql`create index outbox_finished on outbox (created_at) where done_at is not null or failed_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').ifExists().execute();
}
