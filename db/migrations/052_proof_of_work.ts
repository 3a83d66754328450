import { type Kysely, sql } from 'kysely';

/**
 * Proof of work (SPEC §11, §13): the widget solves a small challenge, signed by the server, before
 * it posts. `pow_keys` holds the signing secret, made by whichever instance needs it first, so every
 * instance signs and checks alike. `pow_used` makes each challenge single use across instances: a
 * solved challenge is claimed by a row (the challenge's own hash, which names nobody), kept only
 * until the challenge would have expired anyway (the retention run prunes it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pow_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('pow_used')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index pow_used_expiry on pow_used (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pow_used').ifExists().execute();
  await db.schema.dropTable('pow_keys').ifExists().execute();
}
