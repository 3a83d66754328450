import { type Kysely, sql } from 'kysely';

/**
 * A comment taken down by a moderator (rejected or spam) that still holds listed replies stays in
 * the thread as a placeholder, as a deleted one already did, so the list indexes cover every status
 * that can hold a place: approved comments, and any comment with listed replies. The queries repeat
 * this predicate word for word (comment-list.repo.ts) and leave out the pending ones it also covers.
 */
const INDEXES = [
  ['comments_thread_top_time', '(thread_id, created_at, id)', 'parent_id is null and'],
  ['comments_thread_top_reactions', '(thread_id, reaction_count, created_at, id)', 'parent_id is null and'],
  ['comments_parent_time', '(parent_id, created_at, id)', ''],
] as const;

async function rebuild(db: Kysely<any>, statuses: string): Promise<void> {
  for (const [name, columns, topLevel] of INDEXES) {
    await sql`drop index if exists ${sql.ref(name)}`.execute(db);
    await sql`create index ${sql.ref(name)} on comments ${sql.raw(columns)} where ${sql.raw(topLevel)} ${sql.raw(statuses)}`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rebuild(db, "(status = 'approved' or reply_count > 0)");
}

export async function down(db: Kysely<any>): Promise<void> {
  await rebuild(db, "status in ('approved', 'deleted')");
}
