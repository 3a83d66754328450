import { type Kysely, sql } from 'kysely';

/**
 * Editors' picks and Q&A (SPEC §12):
 * - `threads.format`: `comments` or `qa` (readers' top-level comments are questions), apart from the
 *   moderation `mode`;
 * - `threads.featured_count`: the thread's picks (featured and approved), kept in the transaction
 *   that changes one, so the widget knows from the thread alone whether to offer a Picks tab;
 * - `comments.answer_id`: on a question, the staff reply that answered it.
 * Indexes: the Picks list walks only the featured comments of its thread; a Q&A thread's questions
 * are listed answered first, each half as its own keyset walk.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('comments').check(sql`format in ('comments', 'qa')`))
    .addColumn('featured_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('comments')
    .addColumn('answer_id', 'text', (c) => c.references('comments.id').onDelete('set null'))
    .execute();
  await sql`update threads t set featured_count = (select count(*) from comments c where c.thread_id = t.id and c.featured and c.status = 'approved')
    where exists (select 1 from comments c where c.thread_id = t.id and c.featured)`.execute(db);
  await sql`create index comments_featured on comments (thread_id, created_at, id) where featured and status = 'approved'`.execute(db);
  await sql`create index comments_answered on comments (thread_id, created_at, id) where parent_id is null and answer_id is not null and status = 'approved'`.execute(db);
  await sql`create index comments_answer on comments (answer_id) where answer_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists comments_answer`.execute(db);
  await sql`drop index if exists comments_answered`.execute(db);
  await sql`drop index if exists comments_featured`.execute(db);
  await db.schema.alterTable('comments').dropColumn('answer_id').execute();
  await db.schema.alterTable('threads').dropColumn('format').dropColumn('featured_count').execute();
}
