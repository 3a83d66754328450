import { type Kysely, sql } from 'kysely';

/**
 * Live events across instances. The Socket.IO Postgres adapter sends small messages with NOTIFY and
 * parks larger ones (and any with binary data) in this table, reading them back by id on every
 * instance; it deletes rows older than its cleanup interval itself. The name and columns are the
 * adapter's own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('socket_io_attachments')
    .addColumn('id', 'bigserial', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.defaultTo(sql`now()`))
    .addColumn('payload', 'bytea')
    .execute();
  // The adapter's periodic cleanup deletes by age.
  await db.schema.createIndex('socket_io_attachments_created').on('socket_io_attachments').column('created_at').execute();

  // The moderators' live counts ask for the flagged queue on every status change: without this, the
  // count would read every approved comment of a site.
  await sql`create index comments_site_flagged on comments (site_id, flag_count)
            where status = 'approved' and flag_count > 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists comments_site_flagged`.execute(db);
  await db.schema.dropTable('socket_io_attachments').ifExists().execute();
}
