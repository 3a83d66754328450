import { type Kysely, sql } from 'kysely';

/** Sites, threads, commenters, comments and what hangs off them, with an index per query path. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('origins', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('title', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('open').check(sql`state in ('open', 'closed')`))
    .addColumn('mode', 'text', (c) => c.check(sql`mode in ('pre', 'post', 'first_time')`))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('threads_site_key', ['site_id', 'key'])
    .execute();

  await db.schema
    .createTable('commenters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('website', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('erased_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('comments.id'))
    .addColumn('reply_to_id', 'text', (c) => c.references('comments.id'))
    .addColumn('root_id', 'text', (c) => c.references('comments.id'))
    .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('commenter_id', 'text', (c) => c.references('commenters.id').onDelete('set null'))
    .addColumn('member_id', 'text')
    .addColumn('author_name', 'text')
    .addColumn('author_website', 'text')
    .addColumn('badge', 'text')
    .addColumn('body_src', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'approved', 'rejected', 'spam', 'deleted')`),
    )
    .addColumn('previous_status', 'text')
    .addColumn('featured', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reaction_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flag_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ip_hash', 'text')
    .addColumn('user_agent', 'text')
    // Millisecond precision: keyset cursors carry the timestamp through JavaScript Dates, which
    // would otherwise drop microseconds and repeat or skip rows at page boundaries.
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('edited_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();

  // The thread page: top-level comments in a thread, by time either way, visible statuses only.
  await sql`create index comments_thread_top_time on comments (thread_id, created_at, id)
            where parent_id is null and status in ('approved', 'deleted')`.execute(db);
  await sql`create index comments_thread_top_reactions on comments (thread_id, reaction_count, created_at, id)
            where parent_id is null and status in ('approved', 'deleted')`.execute(db);
  // Replies of one comment, oldest first.
  await sql`create index comments_parent_time on comments (parent_id, created_at, id)
            where status in ('approved', 'deleted')`.execute(db);
  // A commenter's own comments (their pending ones in a thread, export, erasure, duplicate checks).
  await sql`create index comments_commenter on comments (commenter_id, thread_id, created_at)`.execute(db);
  // Moderation queues per site and status.
  await sql`create index comments_site_status on comments (site_id, status, created_at, id)`.execute(db);
  await sql`create index comments_ip_hash on comments (ip_hash) where ip_hash is not null`.execute(db);

  await db.schema
    .createTable('comment_edits')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('body_src', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('comment_edits_comment').on('comment_edits').columns(['comment_id']).execute();

  await db.schema
    .createTable('reactions')
    .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text', (c) => c.notNull().references('commenters.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('reactions_pk', ['comment_id', 'commenter_id'])
    .execute();
  await db.schema.createIndex('reactions_commenter').on('reactions').columns(['commenter_id']).execute();

  await db.schema
    .createTable('flags')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text', (c) => c.references('commenters.id').onDelete('set null'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index flags_one_per_commenter on flags (comment_id, commenter_id)
            where commenter_id is not null`.execute(db);
  await db.schema.createIndex('flags_commenter').on('flags').columns(['commenter_id']).execute();

  await db.schema
    .createTable('thread_events')
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('thread_events_pk', ['thread_id', 'seq'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').columns(['expires_at']).execute();

  await db.schema
    .createTable('hash_keys')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'hash_keys',
    'idempotency_keys',
    'thread_events',
    'flags',
    'reactions',
    'comment_edits',
    'comments',
    'commenters',
    'threads',
    'sites',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
