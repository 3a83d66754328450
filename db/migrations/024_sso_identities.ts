import { type Kysely, sql } from 'kysely';

/**
 * Readers signed in through the publisher's own accounts (SSO). One commenter per `(site, sub)`:
 * `sso_identities` maps the publisher's user id to it. A signed-in reader may hold several commenter
 * tokens (one per device), so those live in `commenter_tokens`, beside the single token an anonymous
 * reader's first post creates (`commenters.token_hash`). The reader badge from the token is kept on
 * the commenter and copied onto each comment, as the author's name is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('commenters')
    // The site whose accounts this commenter signs in with; null: an anonymous (token) commenter.
    .addColumn('sso_site_id', 'text', (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('reader_badge', 'text')
    .execute();
  await db.schema.alterTable('comments').addColumn('reader_badge', 'text').execute();

  await db.schema
    .createTable('sso_identities')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('commenter_id', 'text', (c) => c.notNull().unique().references('commenters.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_login_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_identities_pk', ['site_id', 'sub'])
    .execute();

  await db.schema
    .createTable('commenter_tokens')
    // sha256 of the `ct_…` token: the token itself is returned once and never stored.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('commenter_id', 'text', (c) => c.notNull().references('commenters.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // "Log out everywhere" and erasure revoke a commenter's tokens together.
  await sql`create index commenter_tokens_commenter on commenter_tokens (commenter_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('commenter_tokens').ifExists().execute();
  await db.schema.dropTable('sso_identities').ifExists().execute();
  await db.schema.alterTable('comments').dropColumn('reader_badge').execute();
  await db.schema.alterTable('commenters').dropColumn('reader_badge').dropColumn('sso_site_id').execute();
}
