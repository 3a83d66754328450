import { type Kysely, sql } from 'kysely';

/**
 * What sign-in adds in its second round:
 * - `commenters.email_verified`: the publisher vouched for the email (`email_verified: true` in the
 *   token or code), so mail confirmation can be skipped; false again as soon as the email changes.
 * - `sso_erased_bans`: an SSO reader can come back under the same account after erasing their data,
 *   so a ban in force at the erasure survives as a keyed hash of `(site, sub)` only, with its end,
 *   and is put back on the commenter of the next sign-in. Nothing else of the ban or the person.
 * - `secret_keys`: the server's own random keys (the hash above), created once by whichever
 *   instance needs one first, so every instance hashes alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('commenters').addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  await db.schema
    .createTable('secret_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sso_erased_bans')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('sub_hash', 'text', (c) => c.notNull())
    // null: the ban was for ever.
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_erased_bans_pk', ['site_id', 'sub_hash'])
    .execute();
  // Retention drops the ones that ended.
  await sql`create index sso_erased_bans_expiry on sso_erased_bans (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_erased_bans').ifExists().execute();
  await db.schema.dropTable('secret_keys').ifExists().execute();
  await db.schema.alterTable('commenters').dropColumn('email_verified').execute();
}
