import { type Kysely, sql } from 'kysely';

/** The dashboard lists a site's threads newest first (GET /moderation/threads), by keyset. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index threads_site_time on threads (site_id, created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists threads_site_time`.execute(db);
}
