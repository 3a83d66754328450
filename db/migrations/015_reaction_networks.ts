import { type Kysely, sql } from 'kysely';

/**
 * Likes remember the hashed network they came from, as poll ballots do, so that readers without
 * a token (each first like makes a new identity) cannot pile likes onto one comment from one
 * network. Retention blanks the hash like every other; the partial index serves the cap's count.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reactions').addColumn('ip_hash', 'text').execute();
  await sql`create index reactions_comment_network on reactions (comment_id, ip_hash) where ip_hash is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists reactions_comment_network`.execute(db);
  await db.schema.alterTable('reactions').dropColumn('ip_hash').execute();
}
