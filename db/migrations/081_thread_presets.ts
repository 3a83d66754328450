import { type Kysely, sql } from 'kysely';

/**
 * Presets (SPEC §12): named per-site sets of thread settings (moderation mode, slow mode, links,
 * format, closing after so many hours) that staff apply to a thread in one action. No personal data.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('thread_presets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index thread_presets_name on thread_presets (site_id, lower(name))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('thread_presets').execute();
}
