import { type Kysely, sql } from 'kysely';

/**
 * One-time links to set a new member's first password. An admin adding someone gets a link either
 * way, so the answer never tells whether the email already had an account; only a new account's
 * link is stored (and so works). Only a hash of the link's token is kept.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('member_password_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_password_links_member').on('member_password_links').columns(['member_id']).execute();
  await db.schema.createIndex('member_password_links_expiry').on('member_password_links').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('member_password_links').ifExists().execute();
}
