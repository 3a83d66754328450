import { type Kysely, sql } from 'kysely';

/**
 * What the risk of a new comment needs from the database (abuse.repo.ts `riskContext`), as a
 * function, so the post's context (post-context.repo.ts) reads it in the same round trip, and
 * without planning its lookups on every post (planning them cost more database time than running
 * them).
 *
 * The function keeps one plan per connection, made without the arguments' values. A plan made while
 * the tables were small must still be right once they have grown, so the plan has only one sensible
 * choice for each lookup: sequential scans are off for it, and the indexes on the time alone are
 * replaced by indexes on an expression of it (used by retention only): the lookups' conditions match
 * only their own index — a SimHash band's (site, band, time), a network's (site, network, time), a
 * thread's (thread, time), a commenter's (commenter, time).
 *
 * Near-duplicate candidates: at most 50 posts per SimHash band in the window (a flood of one text
 * does not make every later check slower). Speed counts stop where the speed signal is at its
 * strongest (signals/speed.ts): 20 posts from a network, 30 in a thread.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index abuse_fingerprints_age`.execute(db);
  await sql`create index abuse_fingerprints_expiry on abuse_fingerprints ((created_at at time zone 'UTC'))`.execute(db);
  await sql`drop index abuse_samples_age`.execute(db);
  await sql`create index abuse_samples_expiry on abuse_samples ((created_at at time zone 'UTC'))`.execute(db);
  await sql`
    create function abuse_risk_context(
      p_site text, p_thread text, p_commenter text, p_ip text, p_bands int[], p_speed boolean,
      p_window timestamptz, p_network timestamptz, p_thread_start timestamptz, p_trust timestamptz
    ) returns json language plpgsql stable
    set plan_cache_mode = force_generic_plan
    set enable_seqscan = off
    as $$ begin return (
      select json_build_object(
        'version', (select version::text from abuse_models where site_id = p_site),
        'candidates', case when p_bands is not null then (
          select json_agg(json_build_object('b', json_build_array(f.band0, f.band1, f.band2, f.band3), 'c', f.commenter_id, 'n', f.ip_hash))
          from (
            (select band0, band1, band2, band3, commenter_id, ip_hash from abuse_fingerprints
              where site_id = p_site and band0 = p_bands[1] and created_at > p_window order by created_at desc limit 50)
            union all
            (select band0, band1, band2, band3, commenter_id, ip_hash from abuse_fingerprints
              where site_id = p_site and band1 = p_bands[2] and created_at > p_window order by created_at desc limit 50)
            union all
            (select band0, band1, band2, band3, commenter_id, ip_hash from abuse_fingerprints
              where site_id = p_site and band2 = p_bands[3] and created_at > p_window order by created_at desc limit 50)
            union all
            (select band0, band1, band2, band3, commenter_id, ip_hash from abuse_fingerprints
              where site_id = p_site and band3 = p_bands[4] and created_at > p_window order by created_at desc limit 50)
          ) f) end,
        'network10m', case when p_speed and p_ip is not null then (
          select count(*) from (select 1 from abuse_fingerprints
            where site_id = p_site and ip_hash = p_ip and created_at > p_network limit 20) x) else 0 end,
        'thread1m', case when p_speed then (
          select count(*) from (select 1 from abuse_fingerprints
            where thread_id = p_thread and created_at > p_thread_start limit 30) x) else 0 end,
        'taken_down', case when p_commenter is not null then (
          select count(*) from abuse_samples
            where commenter_id = p_commenter and site_id = p_site and label = 'spam' and created_at > p_trust) else 0 end
      )); end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists abuse_risk_context(text, text, text, text, int[], boolean, timestamptz, timestamptz, timestamptz, timestamptz)`.execute(db);
  await sql`drop index if exists abuse_samples_expiry`.execute(db);
  await sql`create index abuse_samples_age on abuse_samples (created_at)`.execute(db);
  await sql`drop index if exists abuse_fingerprints_expiry`.execute(db);
  await sql`create index abuse_fingerprints_age on abuse_fingerprints (created_at)`.execute(db);
}
