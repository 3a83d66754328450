import { type Kysely, sql } from 'kysely';

/**
 * Privacy: lost-token requests (export or erasure asked by email) and the indexes the retention job
 * walks. A request keeps the requester's email only while it is pending; once carried out it keeps
 * that it was done, by whom and when — never what was exported or erased.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('export', 'erase')`))
    // 'mail': a one-time link was mailed; 'admin': no mail transport, the site's admins carry it out.
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('mail', 'admin')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'done')`))
    .addColumn('email', 'text')
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    // 'link' when the requester used the mailed link, otherwise the member who carried it out.
    .addColumn('completed_by', 'text')
    // Counts only ({"comments": 3, ...}): what kind of work was done, not the data.
    .addColumn('outcome', 'jsonb')
    .addCheckConstraint('privacy_requests_done_forgets', sql`status = 'pending' or (email is null and token_hash is null)`)
    .execute();
  // The admins' list of pending requests per site.
  await sql`create index privacy_requests_pending on privacy_requests (site_id, created_at, id)
            where status = 'pending'`.execute(db);
  // One pending request per address, kind and site (repeated asks reuse it); erasure finds them too.
  await sql`create index privacy_requests_email on privacy_requests (lower(email)) where email is not null`.execute(db);
  await sql`create index privacy_requests_expiry on privacy_requests (expires_at) where expires_at is not null`.execute(db);

  // Retention: comments still carrying a network hash or a user agent, oldest first, per site.
  await sql`create index comments_network_retention on comments (site_id, created_at)
            where ip_hash is not null or user_agent is not null`.execute(db);
  // Retention: ballots still carrying a network hash (polls, 005).
  await sql`create index poll_ballots_network_retention on poll_ballots (created_at)
            where ip_hash is not null`.execute(db);
  // Lost-token requests find a site's commenters by email.
  await sql`create index commenters_email on commenters (lower(email)) where email is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists commenters_email`.execute(db);
  await sql`drop index if exists poll_ballots_network_retention`.execute(db);
  await sql`drop index if exists comments_network_retention`.execute(db);
  await db.schema.dropTable('privacy_requests').ifExists().execute();
}
