import { type Kysely, sql } from 'kysely';

/**
 * The reader API: strictly ordered comment times, duplicate detection, the caller's own pending
 * comments, shared flood counters and idempotency claims.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The last comment time handed out in a thread. New comments take a time strictly after it while
  // holding the thread's row lock, so creation order equals commit order: a reader paging with a
  // keyset cursor can never be overtaken by a comment that commits late with an earlier time.
  await db.schema.alterTable('threads').addColumn('last_comment_at', sql`timestamptz(3)`).execute();

  // A hash of the comment's normalised text, for "you already posted this" (409) without re-reading bodies.
  await db.schema.alterTable('comments').addColumn('text_hash', 'text').execute();

  // The caller's own pending comments, merged into the public pages they read (top level and replies).
  await sql`create index comments_own_pending on comments (commenter_id, thread_id, parent_id, created_at, id)
            where status = 'pending'`.execute(db);

  // Which claim owns a running idempotency key, so a request only ever releases its own claim.
  await db.schema.alterTable('idempotency_keys').addColumn('owner', 'text').execute();

  // Flood counters shared by every instance on PostgreSQL (rate-limiter-flexible's table layout:
  // created here so no instance runs DDL at start).
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').ifExists().execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('owner').execute();
  await sql`drop index if exists comments_own_pending`.execute(db);
  await db.schema.alterTable('comments').dropColumn('text_hash').execute();
  await db.schema.alterTable('threads').dropColumn('last_comment_at').execute();
}
