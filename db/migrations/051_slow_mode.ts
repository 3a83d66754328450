import { type Kysely, sql } from 'kysely';

/**
 * Slow mode (SPEC §11): a thread lets each reader post once every N seconds, set by staff
 * (`slow_mode_seconds`) or switched on by itself while the thread posts faster than the site's
 * threshold (`slow_auto_seconds`, until `slow_auto_until`). Posting speed is counted per thread in a
 * one-minute window on the thread's row, moved by the statement that writes the posts.
 *
 * `slow_mode_posts` holds, per thread, when a reader last posted while slow mode was on: by the
 * app's clock (comments take the database's time), so tests and schedules share one clock, and in
 * the database, so every instance sees it. Rows are kept no longer than the longest interval (1 h).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('slow_mode_seconds', 'integer')
    .addColumn('slow_auto_seconds', 'integer')
    .addColumn('slow_auto_until', 'timestamptz')
    .addColumn('speed_window_at', 'timestamptz')
    .addColumn('speed_window_posts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The sweep that switches automatic slow mode off looks only at threads where it is on.
  await sql`create index threads_slow_auto on threads (slow_auto_until) where slow_auto_seconds is not null`.execute(db);

  await db.schema
    .createTable('slow_mode_posts')
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text')
    .addColumn('ip_hash', 'text')
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index slow_mode_posts_commenter on slow_mode_posts (thread_id, commenter_id, posted_at) where commenter_id is not null`.execute(db);
  await sql`create index slow_mode_posts_network on slow_mode_posts (thread_id, ip_hash, posted_at) where ip_hash is not null`.execute(db);
  await sql`create index slow_mode_posts_age on slow_mode_posts (posted_at)`.execute(db);
  await sql`create index slow_mode_posts_by_commenter on slow_mode_posts (commenter_id) where commenter_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('slow_mode_posts').execute();
  await sql`drop index if exists threads_slow_auto`.execute(db);
  await db.schema
    .alterTable('threads')
    .dropColumn('slow_mode_seconds')
    .dropColumn('slow_auto_seconds')
    .dropColumn('slow_auto_until')
    .dropColumn('speed_window_at')
    .dropColumn('speed_window_posts')
    .execute();
}
