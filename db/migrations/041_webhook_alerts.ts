import type { Kysely } from 'kysely';

/**
 * An admin's choice to be mailed when one of the site's webhook endpoints is switched off after
 * three days of failures (on by default; its own unsubscribe link turns it off).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_moderator_prefs').addColumn('webhook_alerts', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_moderator_prefs').dropColumn('webhook_alerts').execute();
}
