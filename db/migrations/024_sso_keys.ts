import { type Kysely, sql } from 'kysely';

/**
 * The keys a site's sign-in tokens are checked with. Each is registered for one algorithm: a
 * token's header never chooses how it is verified. A shared secret (HS256) is generated here and
 * shown once; a public key is kept as a JWK; a JWKS source keeps only its address (the keys it
 * serves are fetched and cached in memory). Retired keys stay listed, and stop working at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('secret', 'public', 'jwks')`))
    // null for a JWKS source: the token's kid is looked up in the fetched set.
    .addColumn('kid', 'text')
    .addColumn('alg', 'text', (c) => c.notNull().check(sql`alg in ('HS256', 'RS256', 'ES256', 'EdDSA')`))
    .addColumn('secret', 'text')
    .addColumn('public_jwk', 'jsonb')
    .addColumn('jwks_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('retired_at', 'timestamptz')
    .addCheckConstraint(
      'sso_keys_material',
      sql`(kind = 'secret' and secret is not null and kid is not null)
       or (kind = 'public' and public_jwk is not null and kid is not null)
       or (kind = 'jwks' and jwks_url is not null)`,
    )
    .execute();
  // One live key per kid and site: a token names exactly one.
  await sql`create unique index sso_keys_live_kid on sso_keys (site_id, kid) where retired_at is null and kid is not null`.execute(db);
  await sql`create index sso_keys_site on sso_keys (site_id, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_keys').ifExists().execute();
}
