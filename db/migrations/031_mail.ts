import { type Kysely, sql } from 'kysely';

/**
 * Readers' mail (SPEC §10, §13 "Mail"). An address is known per site: confirmed (double opt-in) or
 * not, and stopped when its owner unsubscribed from everything of that site. `secret` signs its
 * unsubscribe links (one per scope), so erasing the row also voids every link mailed to it.
 * A subscription is to the replies to one comment or to a whole thread; `notified_until` is where
 * the next batch of replies starts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_addresses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('commenter_id', 'text')
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('confirm_token_hash', 'text')
    .addColumn('confirm_sent_at', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Checked at commit: a post that subscribes writes its address in the same transaction as the
    // batch that creates its commenter, whose insert is the batch's last statement.
    .addForeignKeyConstraint('mail_addresses_commenter_id_fkey', ['commenter_id'], 'commenters', ['id'], (fk) => fk.onDelete('cascade').deferrable().initiallyDeferred())
    .execute();
  await sql`create unique index mail_addresses_site_email on mail_addresses (site_id, email)`.execute(db);
  await sql`create index mail_addresses_commenter on mail_addresses (commenter_id)`.execute(db);
  await sql`create unique index mail_addresses_confirm on mail_addresses (confirm_token_hash) where confirm_token_hash is not null`.execute(db);
  await sql`create index mail_addresses_unconfirmed on mail_addresses (created_at) where confirmed_at is null`.execute(db);

  await db.schema
    .createTable('mail_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('address_id', 'text', (c) => c.notNull().references('mail_addresses.id').onDelete('cascade'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('comment_id', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('notified_until', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Checked at commit, as above: the comment and its new commenter may be written after this row.
    .addForeignKeyConstraint('mail_subscriptions_commenter_id_fkey', ['commenter_id'], 'commenters', ['id'], (fk) => fk.onDelete('cascade').deferrable().initiallyDeferred())
    .addForeignKeyConstraint('mail_subscriptions_comment_id_fkey', ['comment_id'], 'comments', ['id'], (fk) => fk.onDelete('cascade').deferrable().initiallyDeferred())
    .execute();
  // One subscription per reader and target: a thread, or one comment's replies.
  await sql`create unique index mail_subscriptions_target on mail_subscriptions (commenter_id, thread_id, coalesce(comment_id, ''))`.execute(db);
  await sql`create index mail_subscriptions_thread on mail_subscriptions (thread_id, scope)`.execute(db);
  await sql`create index mail_subscriptions_comment on mail_subscriptions (comment_id) where comment_id is not null`.execute(db);
  await sql`create index mail_subscriptions_address on mail_subscriptions (address_id, thread_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_subscriptions').ifExists().execute();
  await db.schema.dropTable('mail_addresses').ifExists().execute();
}
