import pg from 'pg';
import type { DatabaseHandle } from '../../server/db';
import { describeOnPostgres, openTestDatabase, urlOf } from '../helpers/db';

/**
 * The risk context (migration 100) keeps one plan per connection, made without its arguments'
 * values, whatever size the tables had then. Each lookup must use its own index when the plan is made
 * on an empty database, and still once the fingerprints have grown (a plan that read the table whole,
 * or walked the index on time alone, would make every post slower as the site grows).
 */
describeOnPostgres('the risk context’s plan', () => {
  let database: DatabaseHandle;
  let client: pg.Client;
  beforeAll(async () => {
    // A database of its own, new: another file's comments, or an earlier run's twenty thousand rows,
    // and their statistics would make the first plan one on a grown table.
    database = await openTestDatabase({ suffix: '_plan', fresh: true });
    client = new pg.Client({ connectionString: await urlOf(database) });
    await client.connect();
    // The plans of the statements inside the function, sent to this client as notices.
    await client.query(`load 'auto_explain'`);
    await client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice`);
  });
  afterAll(async () => {
    await client.end();
    await database.close();
  });

  async function scansOfOneCall(): Promise<string[]> {
    const notices: string[] = [];
    const listen = (n: { message?: string }) => notices.push(n.message ?? '');
    client.on('notice', listen);
    await client.query(
      `select abuse_risk_context('s1', 't1', 'c1', 'n1', array[1, 2, 3, 4], true, now() - interval '1 day', now() - interval '10 min', now() - interval '1 min', now() - interval '30 days')`,
    );
    client.off('notice', listen);
    const inner = notices.find((n) => n.includes('abuse_fingerprints_band0')) ?? notices.join('\n');
    return [...inner.matchAll(/(Seq Scan|Index Only Scan|Index Scan(?: Backward)?|Bitmap Index Scan) (?:using (\w+) )?on (\w+)/g)].map((m) => `${m[1]} ${m[2] ?? ''} on ${m[3]}`.replace(/ +/g, ' '));
  }

  const EXPECTED = [
    'Index Scan abuse_models_pkey on abuse_models',
    'Index Scan Backward abuse_fingerprints_band0 on abuse_fingerprints',
    'Index Scan Backward abuse_fingerprints_band1 on abuse_fingerprints',
    'Index Scan Backward abuse_fingerprints_band2 on abuse_fingerprints',
    'Index Scan Backward abuse_fingerprints_band3 on abuse_fingerprints',
    'Index Only Scan abuse_fingerprints_network on abuse_fingerprints',
    'Index Only Scan abuse_fingerprints_thread on abuse_fingerprints',
    'Index Scan abuse_samples_commenter on abuse_samples',
  ];

  it('reads each lookup through its own index, planned on an empty database and after it grew', async () => {
    expect((await scansOfOneCall()).sort()).toEqual([...EXPECTED].sort());
    // Twenty thousand fingerprints and their statistics: the connection's plan is made again, the same.
    await client.query(`insert into sites (id, name) values ('s1', 'S') on conflict do nothing`);
    await client.query(`insert into threads (id, site_id, key, url, title) values ('t1', 's1', 'k', 'https://example.com/', 'T') on conflict do nothing`);
    await client.query(`
      insert into abuse_fingerprints (comment_id, site_id, thread_id, commenter_id, ip_hash, band0, band1, band2, band3, created_at)
      select 'f' || i, 's1', 't1', 'c' || (i % 500), 'n' || (i % 300), i % 65536, (i * 7) % 65536, (i * 13) % 65536, (i * 31) % 65536,
        now() - (i % 1440) * interval '1 minute'
      from generate_series(1, 20000) as i`);
    await client.query('analyze abuse_fingerprints');
    expect((await scansOfOneCall()).sort()).toEqual([...EXPECTED].sort());
  });
});
