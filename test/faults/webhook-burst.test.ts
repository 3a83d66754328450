import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { type Proc, startProc } from '../bench/procs';
import { describeOnPostgres } from '../helpers/db';
import { type Receiver, startReceiver } from '../webhooks/receiver';
import { freshDatabase } from './database';

/**
 * 500 webhook events queued for one endpoint, 25 for each of 20 threads, shared by two instances;
 * one instance is SIGKILLed while sends of its own are in flight (the receiver holds their answers).
 * Once it is started again: every event has reached the receiver and verifies with the official
 * `standardwebhooks` library; an event arrived twice only if its send was in flight at the kill
 * (at the receiver, its run not yet written as sent), under the same webhook-id; and each thread's
 * events arrived in their order, as a receiver that keeps the first of each webhook-id sees them.
 */
const THREADS = 20;
const PER_THREAD = 25;
const EVENTS = THREADS * PER_THREAD;
const SECRET = `whsec_${Buffer.from('a fixed secret for the burst test').toString('base64')}`;

describeOnPostgres('webhooks: SIGKILL while 500 events are queued', () => {
  let receiver: Receiver;
  let admin: pg.Client;
  let url: string;
  const procs: Proc[] = [];
  /** From the 150th request on, answers are held back until the kill, then released together. */
  let phase: 'sending' | 'holding' | 'released' = 'sending';
  const held: Array<() => void> = [];

  beforeAll(async () => {
    receiver = await startReceiver(() => {
      if (phase === 'sending' && receiver.received.length >= EVENTS * 0.3) phase = 'holding';
      return phase === 'holding' ? new Promise<number>((resolve) => held.push(() => resolve(204))) : 204;
    });
    ({ url, admin } = await freshDatabase(process.env.DATABASE_URL!, 'webhook_burst'));
  });
  afterAll(async () => {
    held.splice(0).forEach((release) => release());
    await Promise.all(procs.map((p) => p.stop()));
    await admin?.end();
    await receiver?.close();
  });

  const ids = () => receiver.received.map((r) => String(r.headers['webhook-id']));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function until(condition: () => boolean, what: string, ms = 120_000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${new Set(ids()).size} distinct events`);
      await sleep(50);
    }
  }

  /** Until no request has arrived for `quietMs`. */
  async function quiet(quietMs: number) {
    for (let seen = -1; seen !== receiver.received.length; ) {
      seen = receiver.received.length;
      await sleep(quietMs);
    }
  }

  it('delivers every event once the killed instance is back, repeating only sends in flight, in order per thread', async () => {
    await admin.query(`insert into sites (id, name, origins, settings) values ('burst', 'The Daily Example', '[]', '{}')`);
    await admin.query(
      `insert into webhook_endpoints (id, site_id, kind, url, events, description, enabled, secret, created_at)
       values ('whburst', 'burst', 'standard', $1, '["comment.created"]', 'CMS', true, $2, now())`,
      [receiver.url, SECRET],
    );
    // The queue as the writers leave it: a lane per thread, rows in each thread's order.
    await admin.query(
      `insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
       select 'msg_burst' || lpad(n::text, 5, '0'), 'webhook', 'wh:whburst:thread:t' || t, 'burst',
              jsonb_build_object(
                'endpointId', 'whburst', 'at', now(),
                'subject', jsonb_build_object('type', 'comment.created', 'siteId', 'burst', 'threadId', 't' || t, 'id', 'c' || n, 'commenterId', null, 'status', 'approved'),
                'data', jsonb_build_object('comment', jsonb_build_object('id', 'c' || n, 'threadId', 't' || t, 'status', 'approved', 'bodyHtml', '<p>Comment ' || n || '</p>'))),
              now(), now()
       from generate_series(1, ${EVENTS}) n, lateral (select (n - 1) % ${THREADS} + 1 as t) lane
       order by n`,
    );
    const env = { DATABASE_URL: url, PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true', NODE_ENV: 'test' };
    const [a, b] = await Promise.all([startProc('server/main.ts', env), startProc('server/main.ts', env)]);
    procs.push(a!, b!);

    await until(() => phase === 'holding', 'a third of the events');
    // Every instance ends up waiting on answers held back (one that is not would go on sending:
    // there are more lanes than one instance claims at once), so the one killed has sends in flight.
    await quiet(1500);
    const exited = new Promise((r) => a!.child.once('exit', r));
    a!.child.kill('SIGKILL');
    await exited;
    phase = 'released';
    held.splice(0).forEach((release) => release());
    const sentAtKill = new Set(ids());
    expect(sentAtKill.size).toBeLessThan(EVENTS);

    // The survivor delivers every lane but those the dead instance still holds leased.
    await quiet(1500);
    // In flight at the kill: claimed by the dead instance and already at the receiver. (Rows it had
    // claimed behind them, not yet sent, wait for the lease too, and go once.)
    const { rows: leased } = await admin.query<{ uid: string }>(`select uid from outbox where done_at is null and attempts > 0`);
    const inFlight = leased.filter((r) => sentAtKill.has(r.uid));
    expect(inFlight.length).toBeGreaterThan(0);

    // Started again with its clock past the dead instance's leases (PARLEY_TEST_CLOCK_OFFSET_MS),
    // as any instance would see them once their two minutes have run out. The survivor moves to
    // the same clock (stopped, started again beside it): two instances five minutes apart would
    // each read the other's live leases as run out, and the one ahead would send again what the
    // other is sending (seen on a busy machine: 38 repeats of sends made after the kill).
    await b!.stop();
    const later = { ...env, PARLEY_TEST_CLOCK_OFFSET_MS: String(5 * 60_000) };
    procs.push(...(await Promise.all([startProc('server/main.ts', later), startProc('server/main.ts', later)])));
    await until(() => new Set(ids()).size >= EVENTS, 'every event');
    await sleep(1000);

    const distinct = new Set(ids());
    expect(distinct.size).toBe(EVENTS);
    const wh = new Webhook(SECRET);
    for (const r of receiver.received) {
      const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
      expect(wh.verify(r.body, headers)).toMatchObject({ type: 'comment.created' });
    }
    // Repeated: exactly the sends the dead instance had in flight, under their own webhook-id.
    const counts = new Map<string, number>();
    for (const id of ids()) counts.set(id, (counts.get(id) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1);
    expect(repeated.every(([, n]) => n === 2)).toBe(true);
    expect(repeated.map(([id]) => id).sort()).toEqual(inFlight.map((r) => r.uid).sort());

    // Each thread's events in their order, keeping the first of each webhook-id (Standard Webhooks'
    // receivers drop a webhook-id seen before); the repeats of a thread come again in that order too:
    // the killed run, sent again from its first unwritten row.
    const byThread = new Map<string, number[]>();
    const repeatsByThread = new Map<string, number[]>();
    const first = new Set<string>();
    for (const r of receiver.received) {
      const c = (JSON.parse(r.body) as { data: { comment: { id: string; threadId: string } } }).data.comment;
      const id = String(r.headers['webhook-id']);
      const into = first.has(id) ? repeatsByThread : byThread;
      first.add(id);
      into.set(c.threadId, [...(into.get(c.threadId) ?? []), Number(c.id.slice(1))]);
    }
    expect(byThread.size).toBe(THREADS);
    for (const [thread, order] of byThread) {
      const t = Number(thread.slice(1));
      expect(order).toEqual(Array.from({ length: PER_THREAD }, (_, i) => i * THREADS + t));
    }
    for (const again of repeatsByThread.values()) expect(again).toEqual([...again].sort((a, b) => a - b));
    const { rows } = await admin.query(`select count(*)::int as n from outbox where done_at is null`);
    expect(rows[0].n).toBe(0);
    console.log(`webhook burst: ${distinct.size} distinct, ${repeated.length} repeated (${inFlight.length} in flight at the kill, ${leased.length - inFlight.length} claimed behind them unsent), ${sentAtKill.size} sent before the kill`);
  }, 240_000);
});
