import { type Kysely, sql } from 'kysely';

/**
 * What each import already brought in, so running the same import again changes nothing: one row
 * per (site, source, kind, external id) pointing at the Parley row it became. A commenter's external
 * id is a hash of their email, never the address itself.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_refs')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('thread', 'comment', 'commenter')`))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('import_refs_pk', ['site_id', 'source', 'kind', 'external_id'])
    .execute();
  // Erasure and purges find the references to a commenter or comment they remove.
  await db.schema.createIndex('import_refs_local').on('import_refs').columns(['local_id']).execute();
  // Imports match an article to a site's existing thread by its address, as well as by key.
  await db.schema.createIndex('threads_site_url').on('threads').columns(['site_id', 'url']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('threads_site_url').ifExists().execute();
  await db.schema.dropTable('import_refs').ifExists().execute();
}
