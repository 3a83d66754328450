import { type Kysely, sql } from 'kysely';

/**
 * The duplicate check (the same text by the same author in a thread) runs on every post, twice: once
 * before the thread's lock and once under it. Without this index it read every comment of the thread
 * (or of the author's network), so a post to a viral thread cost more with each comment before it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index comments_thread_text on comments (thread_id, text_hash) where status <> 'deleted'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists comments_thread_text`.execute(db);
}
