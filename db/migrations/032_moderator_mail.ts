import { type Kysely, sql } from 'kysely';

/**
 * Moderators' mail (SPEC §10): per member and site, flagged comments at once, and a digest of the
 * pending queue at an hour of the member's own time zone (an IANA name). `secret` signs the
 * unsubscribe links of these mails (one per kind).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_moderator_prefs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('flagged', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('digest_hour', 'integer')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index mail_moderator_prefs_member_site on mail_moderator_prefs (member_id, site_id)`.execute(db);
  await sql`create index mail_moderator_prefs_flagged on mail_moderator_prefs (site_id) where flagged`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_moderator_prefs').ifExists().execute();
}
