import type { Kysely } from 'kysely';

/**
 * Schedules and heat controls (SPEC §12): a thread closes by itself at `closes_at` and reopens at
 * `reopens_at` (app clock, compared when a post arrives, so nothing waits for a job); a site's
 * `closeAfterHours` sets `closes_at` on the threads created after it. `links_allowed = false` holds
 * every reader's comment that carries a link.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('closes_at', 'timestamptz')
    .addColumn('reopens_at', 'timestamptz')
    .addColumn('links_allowed', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('threads').dropColumn('closes_at').dropColumn('reopens_at').dropColumn('links_allowed').execute();
}
