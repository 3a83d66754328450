import { type Kysely, sql } from 'kysely';

/**
 * Single use, across every instance: a token's `jti` and an exchange code are claimed by a row in
 * the database, and kept only until the token or code would have expired anyway (retention prunes
 * them). Neither holds the jti or code itself, only a hash. A code holds the reader's claims for its
 * 60 seconds. `sealed` is the commenter token handed out, encrypted under a key derived from the
 * presented token or code, so the same login retried within a minute gets the same answer and
 * nobody without that token or code can read it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_jtis')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('jti_hash', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_jtis_pk', ['site_id', 'jti_hash'])
    .execute();
  await sql`create index sso_jtis_expiry on sso_jtis (expires_at)`.execute(db);

  await db.schema
    .createTable('sso_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('claims', 'jsonb', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await sql`create index sso_codes_expiry on sso_codes (expires_at)`.execute(db);
  // Erasure finds a person's pending codes.
  await sql`create index sso_codes_sub on sso_codes (site_id, sub)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_codes').ifExists().execute();
  await db.schema.dropTable('sso_jtis').ifExists().execute();
}
