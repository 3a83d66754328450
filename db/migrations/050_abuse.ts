import { type Kysely, sql } from 'kysely';

/**
 * Abuse defence on the publisher's own server (SPEC §11). A comment keeps the risk it was given and
 * why. The site's text classifier is the shipped base model plus this site's own counts
 * (`abuse_features`, `abuse_models`), moved by every sample (`abuse_samples`: a moderator's decision,
 * or a published comment nobody took down within a day). `abuse_fingerprints` is the short-lived
 * post log behind the near-duplicate and speed signals: a SimHash of the text split in four bands
 * (two texts a few bits apart share a band), and who posted it, as hashes and ids only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('comments').addColumn('risk', 'real').addColumn('risk_reasons', 'jsonb').execute();
  // "Sort by risk" in the queues.
  await sql`create index comments_queue_risk on comments (site_id, status, risk desc nulls last, id)`.execute(db);

  await db.schema
    .createTable('abuse_models')
    .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('spam_docs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ham_docs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('spam_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ham_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();

  await db.schema
    .createTable('abuse_features')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('feature', 'text', (c) => c.notNull())
    .addColumn('spam', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ham', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addPrimaryKeyConstraint('abuse_features_pk', ['site_id', 'feature'])
    .execute();
  // Instances read what changed since they last looked.
  await sql`create index abuse_features_updated on abuse_features (site_id, updated_at)`.execute(db);

  await db.schema
    .createTable('abuse_samples')
    .addColumn('comment_id', 'text', (c) => c.primaryKey().references('comments.id').onDelete('cascade'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text')
    .addColumn('label', 'text', (c) => c.notNull().check(sql`label in ('spam', 'ham')`))
    .addColumn('features', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index abuse_samples_commenter on abuse_samples (commenter_id, created_at) where commenter_id is not null`.execute(db);
  await sql`create index abuse_samples_age on abuse_samples (created_at)`.execute(db);

  await db.schema
    .createTable('abuse_fingerprints')
    .addColumn('comment_id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('commenter_id', 'text')
    .addColumn('ip_hash', 'text')
    .addColumn('band0', 'integer', (c) => c.notNull())
    .addColumn('band1', 'integer', (c) => c.notNull())
    .addColumn('band2', 'integer', (c) => c.notNull())
    .addColumn('band3', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  for (const band of [0, 1, 2, 3]) {
    await sql`create index ${sql.raw(`abuse_fingerprints_band${band}`)} on abuse_fingerprints (site_id, ${sql.raw(`band${band}`)}, created_at)`.execute(db);
  }
  await sql`create index abuse_fingerprints_network on abuse_fingerprints (site_id, ip_hash, created_at) where ip_hash is not null`.execute(db);
  await sql`create index abuse_fingerprints_thread on abuse_fingerprints (thread_id, created_at)`.execute(db);
  await sql`create index abuse_fingerprints_commenter on abuse_fingerprints (commenter_id) where commenter_id is not null`.execute(db);
  await sql`create index abuse_fingerprints_age on abuse_fingerprints (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['abuse_fingerprints', 'abuse_samples', 'abuse_features', 'abuse_models']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop index if exists comments_queue_risk`.execute(db);
  await db.schema.alterTable('comments').dropColumn('risk').dropColumn('risk_reasons').execute();
}
