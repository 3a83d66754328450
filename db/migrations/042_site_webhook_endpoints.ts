import { type Kysely, sql } from 'kysely';

/**
 * How many enabled webhook endpoints a site has, kept with the site: a change on a site without any
 * (most sites) queues no webhook without asking the endpoints table, inside its transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').addColumn('webhook_endpoints', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update sites set webhook_endpoints = (select count(*) from webhook_endpoints e where e.site_id = sites.id and e.enabled)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').dropColumn('webhook_endpoints').execute();
}
