import type { Kysely } from 'kysely';

/**
 * A per-site counter of moderation-queue changes (a comment entering or leaving a queue). Live
 * queue events and counts carry it, so a dashboard that missed an event (a notification lost
 * between instances) can tell, and read the queue again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').addColumn('queue_version', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').dropColumn('queue_version').execute();
}
