import { type Kysely, sql } from 'kysely';

/**
 * Members and their roles per site, sessions, site API keys, bans, the moderation log, the login
 * throttle's counters, and the comment columns decisions need.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Stored lower-cased: one account per address whatever its spelling.
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('password_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('site_members')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'moderator', 'journalist')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('site_members_pk', ['site_id', 'member_id'])
    .execute();
  await db.schema.createIndex('site_members_member').on('site_members').columns(['member_id']).execute();

  // Only a hash of the session token is kept: a copy of this table lets nobody sign in.
  await db.schema
    .createTable('member_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_sessions_member').on('member_sessions').columns(['member_id']).execute();
  await db.schema.createIndex('member_sessions_expiry').on('member_sessions').columns(['expires_at']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    // The first characters of the secret, so an admin can tell keys apart; useless to an attacker.
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_site').on('api_keys').columns(['site_id', 'created_at']).execute();

  await db.schema
    .createTable('bans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text', (c) => c.references('commenters.id').onDelete('cascade'))
    // A network ban keeps the day-keyed network hash of one comment: `<day>:<mac>`. It matches a new
    // request for as long as that day's hashing secret exists (the site's retention period).
    .addColumn('network_hash', 'text')
    .addColumn('network_day', 'text')
    .addColumn('comment_id', 'text', (c) => c.references('comments.id').onDelete('set null'))
    .addColumn('reason', 'text')
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text')
    .addColumn('created_by_name', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('lifted_at', 'timestamptz')
    .addCheckConstraint('bans_target', sql`commenter_id is not null or network_hash is not null`)
    .execute();
  await sql`create index bans_site_commenter on bans (site_id, commenter_id) where lifted_at is null and commenter_id is not null`.execute(db);
  await sql`create index bans_site_network on bans (site_id, network_day, network_hash) where lifted_at is null and network_hash is not null`.execute(db);
  await sql`create index bans_site_time on bans (site_id, created_at desc, id desc)`.execute(db);
  await db.schema.createIndex('bans_commenter').on('bans').columns(['commenter_id']).execute();

  // The audit log: who did what, to which object, when and why. Never edited.
  await db.schema
    .createTable('moderation_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('actor_type', 'text', (c) => c.notNull().check(sql`actor_type in ('member', 'key', 'system')`))
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('comment_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('commenter_id', 'text')
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('reason', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index moderation_log_site on moderation_log (site_id, id desc)`.execute(db);
  await sql`create index moderation_log_comment on moderation_log (comment_id) where comment_id is not null`.execute(db);
  await sql`create index moderation_log_commenter on moderation_log (commenter_id) where commenter_id is not null`.execute(db);

  // Counters of the login throttle (rate-limiter-flexible's Postgres store), shared by every instance;
  // the same table as the reader API's flood limits (002), under other key prefixes.
  await db.schema
    .createTable('rate_limits')
    .ifNotExists()
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();

  // A decision compares and sets `mod_version`, so two moderators never both decide one comment.
  await db.schema.alterTable('comments').addColumn('mod_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The flag count a moderator last cleared: the comment is flagged again only by new flags.
  await db.schema.alterTable('comments').addColumn('flags_cleared', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Why the rules gave the comment its status ("held word", "first comment"), for moderators.
  await db.schema.alterTable('comments').addColumn('status_reason', 'text').execute();
  await sql`create index comments_flagged on comments (site_id, created_at, id)
            where status = 'approved' and flag_count > flags_cleared`.execute(db);
  await sql`create index comments_thread_status on comments (thread_id, status, created_at, id)`.execute(db);
  await sql`create index comments_member on comments (member_id) where member_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists comments_member`.execute(db);
  await sql`drop index if exists comments_thread_status`.execute(db);
  await sql`drop index if exists comments_flagged`.execute(db);
  for (const column of ['status_reason', 'flags_cleared', 'mod_version']) {
    await db.schema.alterTable('comments').dropColumn(column).execute();
  }
  for (const table of ['rate_limits', 'moderation_log', 'bans', 'api_keys', 'member_sessions', 'site_members', 'members']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
