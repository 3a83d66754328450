import { type Kysely, sql } from 'kysely';

/**
 * Webhook endpoints (SPEC §10): a site's destinations, signed per Standard Webhooks. `secret` signs
 * every delivery; after a rotation `previous_secret` signs too until `previous_until` (24 h), so a
 * receiver can switch without losing one. `failing_since`: the first failure of the current run,
 * cleared by a success; three days of it switch the endpoint off (`disabled_reason`).
 *
 * The delivery log keeps what an admin needs to see what happened (attempt, status, latency,
 * error) and the event's id and type, never the payload: "send again" renders the event anew.
 *
 * Slack links: which member a Slack user id decides as, per site.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_until', 'timestamptz')
    .addColumn('slack_signing_secret', 'text')
    .addColumn('failing_since', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index webhook_endpoints_site on webhook_endpoints (site_id, created_at)`.execute(db);

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // What the event is about (a comment, thread, poll, ban or commenter id): "send again" renders it anew.
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer')
    .addColumn('error', 'text')
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The log of an endpoint, newest first (keyset on created_at, id); retention by age.
  await sql`create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc, id desc)`.execute(db);
  await sql`create index webhook_deliveries_age on webhook_deliveries (site_id, created_at)`.execute(db);

  await db.schema
    .createTable('slack_links')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('slack_user_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('slack_links_pk', ['site_id', 'slack_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('slack_links').ifExists().execute();
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
}
