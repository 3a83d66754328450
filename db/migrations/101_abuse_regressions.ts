import { type Kysely, sql } from 'kysely';

/**
 * A mature site's logistic regression (server/abuse/regression.ts), fitted in the background from
 * the site's samples by any one instance (`claimed_until`: the instance fitting it, until then) and
 * read by every instance. `fitted_version` is the site's model version (abuse_models) the samples
 * were read at: a site whose version moved past it is fitted again. `weights` (feature → weight)
 * is null while the site has too few samples. Like the counts, it names no one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('abuse_regressions')
    .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('fitted_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('samples', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bias', 'float8', (c) => c.notNull().defaultTo(0))
    .addColumn('weights', 'jsonb')
    .addColumn('fitted_at', 'timestamptz')
    .addColumn('claimed_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table abuse_regressions`.execute(db);
}
