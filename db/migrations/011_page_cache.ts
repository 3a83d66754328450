import { type Kysely, sql } from 'kysely';

/**
 * Thread pages are cached in each instance, keyed by the thread's `seq` (every event takes the next
 * one). A like changes a page — its count and the "top" order — without being an event, so it moves
 * this second clock instead; a cached page is valid while both are unchanged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('threads').addColumn('page_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table threads drop column if exists page_version`.execute(db);
}
