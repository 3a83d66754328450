/**
 * `npm run bench`: Parley against bare baselines on the same machine, database and payloads, in the
 * same run. Prints ours, the baseline and the ratio for each scenario; `--json <file>` writes them.
 * Needs PostgreSQL: DATABASE_URL, or the local server at postgres://postgres@127.0.0.1:5432.
 * All traffic stays on loopback; every load is bounded in time.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrateToLatest, openPostgres } from '../../server/db';
import { newId } from '../../server/ids';
import { startProc } from './procs';
import { seedThread } from './seed';

interface Row {
  scenario: string;
  metric: string;
  ours: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
}

const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const rows: Row[] = [];

function record(row: Omit<Row, 'ratio' | 'pass'> & { ratio?: number | null; better: 'higher' | 'lower'; limit?: number }) {
  const ratio = row.ratio !== undefined ? row.ratio : row.baseline ? row.ours / row.baseline : null;
  const pass = ratio === null || row.limit === undefined ? null : row.better === 'higher' ? ratio >= row.limit : ratio <= row.limit;
  const out: Row = { scenario: row.scenario, metric: row.metric, ours: row.ours, baseline: row.baseline, ratio, target: row.target, pass };
  rows.push(out);
  const fmt = (n: number | null) => (n === null ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(
    `${out.scenario.padEnd(10)} ${out.metric.padEnd(28)} ours ${fmt(out.ours).padStart(9)}  base ${fmt(out.baseline).padStart(9)}  ratio ${fmt(out.ratio).padStart(6)}  ${out.target} ${pass === null ? '' : pass ? 'PASS' : 'MISS'}`,
  );
}

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  const result = await autocannon({ connections: 20, duration: DURATION, ...opts });
  if (result.non2xx || result.errors) {
    console.warn(`  (${opts.url}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.requests.total})`);
  }
  return result;
}

async function prepareDatabase(): Promise<string> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base });
  await admin.connect().catch((err) => {
    throw new Error(`npm run bench needs PostgreSQL (set DATABASE_URL): ${err.message}`);
  });
  const name = 'parley_bench';
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main() {
  const databaseUrl = await prepareDatabase();
  const handle = openPostgres({ connectionString: databaseUrl });
  await migrateToLatest(handle.db);
  const siteId = 'bench';
  await handle.db.insertInto('sites').values({ id: siteId, name: 'Bench', origins: '["http://bench.test"]', settings: '{}' }).execute();
  console.log('seeding threads of 100, 10,000 and 100,000 comments…');
  const small = await seedThread(handle.db, siteId, 100);
  const large = await seedThread(handle.db, siteId, 10_000);
  const huge = await seedThread(handle.db, siteId, 100_000);
  const writeThread = await seedThread(handle.db, siteId, 10);

  const env = { DATABASE_URL: databaseUrl, PARLEY_RATE_LIMITS: 'off', NODE_ENV: 'production' };
  const parley = await startProc('server/main.ts', env);
  const baseline = await startProc('test/bench/baseline.ts', env);
  try {
    // read: the first page of a 10,000-comment thread.
    const oursRead = await load({ url: `${parley.url}/api/v1/threads/${large}/comments` });
    const baseRead = await load({ url: `${baseline.url}/read/${large}` });
    record({ scenario: 'read', metric: 'requests/s, 10k-comment page', ours: oursRead.requests.average, baseline: baseRead.requests.average, target: '≥ 1.5×', better: 'higher', limit: 1.5 });

    // write: a comment through the whole pipeline vs one INSERT.
    const body = JSON.stringify({ body: 'How would I resolve this stand-off? With a sceptre.' });
    const headers = { 'content-type': 'application/json' };
    const oursWrite = await load({ url: `${parley.url}/api/v1/threads/${writeThread}/comments`, method: 'POST', headers, body, connections: 10 });
    const baseWrite = await load({ url: `${baseline.url}/write/${writeThread}`, method: 'POST', headers, body, connections: 10 });
    record({ scenario: 'write', metric: 'requests/s, post a comment', ours: oursWrite.requests.average, baseline: baseWrite.requests.average, target: '≥ 0.4×', better: 'higher', limit: 0.4 });

    // growth: first-page latency as the thread grows.
    const latency: Record<number, number> = {};
    for (const [n, id] of [[100, small], [10_000, large], [100_000, huge]] as const) {
      const r = await load({ url: `${parley.url}/api/v1/threads/${id}/comments`, connections: 1, duration: Math.max(3, DURATION / 2) });
      latency[n] = r.latency.average;
    }
    record({ scenario: 'growth', metric: 'ms first page, 100k vs 100', ours: latency[100_000]!, baseline: latency[100]!, target: '≤ 1.5×', better: 'lower', limit: 1.5 });

    // votes: 200 readers voting at once on one poll; the tally must be exact.
    const pollId = newId();
    const options = [newId(), newId(), newId()];
    await handle.db.insertInto('polls').values({ id: pollId, site_id: siteId, thread_id: writeThread, question: 'How would you resolve it?', kind: 'single', max_choices: 1, visibility: 'always', network_cap: 100_000, closes_at: null, created_by: null }).execute();
    await handle.db.insertInto('poll_options').values(options.map((id, position) => ({ id, poll_id: pollId, label: `Option ${position}`, position }))).execute();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${parley.url}/api/v1/polls/${pollId}/vote`, { method: 'PUT', headers, body: JSON.stringify({ optionIds: [options[i % 3]] }) }).then((r) => r.status),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const tally = await handle.db.selectFrom('poll_choices').select((eb) => eb.fn.countAll<number>().as('n')).where('poll_id', '=', pollId).executeTakeFirstOrThrow();
    const ok = answers.filter((s) => s === 200).length;
    record({ scenario: 'votes', metric: 'votes/s, 200 at once', ours: ok / seconds, baseline: null, target: `tally ${tally.n}/200 ${Number(tally.n) === 200 && ok === 200 ? 'exact' : 'WRONG'}`, better: 'higher' });
  } finally {
    await parley.stop();
    await baseline.stop();
    await handle.close();
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ at: new Date().toISOString(), seconds: DURATION, rows }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
