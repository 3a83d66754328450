import { sql } from 'kysely';
import { type DatabaseHandle, migrateToLatest, openPostgres } from '../../server/db';
import { claimDue } from '../../server/outbox/outbox.repo';
import { median } from './fanout';

const SITE = 'outbox-bench';

/**
 * outbox: the time of one claim (the statement every instance runs after each commit that queues
 * something, and every second) on a queue holding what a busy site's can: 5,000 reply mails waiting
 * out their batching window (a lane each), a thread's 6,000 webhooks behind a slow receiver (one
 * lane), and 300 threads whose first webhook waits for a retry with 20 more behind it, all queued
 * before the ten rows the claim takes; against the same claim on a queue of only those ten rows. Each claim is rolled back, so every run claims
 * the same rows; the median of 200.
 */
export async function outboxClaims(databaseUrl: string): Promise<{ loaded: number; light: number; queued: number }> {
  const handle = openPostgres({ connectionString: databaseUrl });
  try {
    await migrateToLatest(handle.db);
    await handle.db.insertInto('sites').values({ id: SITE, name: 'Outbox bench', origins: '[]', settings: '{}' }).execute();
    // What a claim takes (ten rows): nine outside lanes and one lane's head, all due.
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'due-' || g, 'bench.note', case when g = 0 then 'wh:e0:t0' end, ${SITE}, '{}', now() - interval '1 second', now()
      from generate_series(0, 9) g`.execute(handle.db);
    const light = await timedClaim(handle);
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'mail-' || g, 'bench.mail', 'replies:a' || g || ':t1', ${SITE}, '{}', now() + interval '15 minutes', now()
      from generate_series(1, 5000) g`.execute(handle.db);
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'busy-' || g, 'bench.hook', 'wh:e1:t1', ${SITE}, '{}', now() - interval '10 minutes' + g * interval '1 ms', now()
      from generate_series(1, 6000) g`.execute(handle.db);
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at, attempts)
      select 'head-' || l, 'bench.hook', 'wh:e2:t' || l, ${SITE}, '{}', now() + interval '20 minutes', now(), 3
      from generate_series(1, 300) l`.execute(handle.db);
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'behind-' || l || '-' || g, 'bench.hook', 'wh:e2:t' || l, ${SITE}, '{}', now() - interval '5 minutes', now()
      from generate_series(1, 300) l, generate_series(1, 20) g`.execute(handle.db);
    await sql`vacuum analyze outbox`.execute(handle.db);
    const loaded = await timedClaim(handle);
    const queued = Number((await sql<{ n: string }>`select count(*) as n from outbox where site_id = ${SITE}`.execute(handle.db)).rows[0]!.n);
    return { loaded, light, queued };
  } finally {
    await handle.db.deleteFrom('sites').where('id', '=', SITE).execute();
    await handle.close();
  }
}

class RolledBack extends Error {}

async function timedClaim(handle: DatabaseHandle): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    await handle.db
      .transaction()
      .execute(async (trx) => {
        const started = performance.now();
        const now = new Date();
        const rows = await claimDue(trx, 'bench', now, new Date(now.getTime() + 120_000), 10, 10);
        times.push(performance.now() - started);
        if (rows.length < 10) throw new Error(`the claim took ${rows.length} rows, not at least the 10 it can`);
        throw new RolledBack();
      })
      .catch((err) => {
        if (!(err instanceof RolledBack)) throw err;
      });
  }
  return median(times);
}
