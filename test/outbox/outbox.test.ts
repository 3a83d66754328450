import { sql } from 'kysely';
import pino from 'pino';
import { createClock } from '../../server/clock';
import { type DatabaseHandle, inTransaction } from '../../server/db';
import { createEventBus } from '../../server/events';
import { createOutbox, type Outbox, type OutboxJob, OutboxGiveUp, type OutboxOptions } from '../../server/outbox/outbox';
import { claimStatement } from '../../server/outbox/outbox.repo';
import { openTestDatabase, planOf, resetDatabase } from '../helpers/db';

/**
 * The outbox on a real database: what a change writes is delivered after it commits, retried with
 * growing delays on the injected clock, claimed again after a dead worker's lease, never sent twice
 * by two workers, and delivered in order within a lane.
 */
let database: DatabaseHandle;
/** A second connection pool to the same database on PostgreSQL (two instances); PGlite has one. */
let second: DatabaseHandle;
const log = pino({ level: 'silent' });
const workers: Outbox[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  second = process.env.DATABASE_URL ? await openTestDatabase({ keepData: true }) : database;
});
afterAll(async () => {
  if (second !== database) await second.close();
  await database.close();
});
beforeEach(async () => {
  await resetDatabase(database);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(1000)));
});

function worker(options: Partial<OutboxOptions> = {}): Outbox {
  const outbox = createOutbox({ db: database.db, clock: createClock(), log, pollMs: 50, ...options });
  workers.push(outbox);
  return outbox;
}

async function enqueue(outbox: Outbox, messages: Parameters<Outbox['enqueue']>[1], bus = createEventBus()) {
  return inTransaction({ db: database.db, bus }, (uow) => outbox.enqueue(uow, messages));
}

const rows = () => database.db.selectFrom('outbox').selectAll().orderBy('id').execute();

async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('outbox', () => {
  it('delivers a row once its transaction commits, and nothing from a rolled-back one', async () => {
    const outbox = worker();
    const seen: OutboxJob[] = [];
    outbox.handle('test.note', async (job) => void seen.push(job));
    outbox.start();
    const [written] = await enqueue(outbox, { kind: 'test.note', payload: { text: 'hello' } });
    await expect(
      inTransaction({ db: database.db, bus: createEventBus() }, async (uow) => {
        await outbox.enqueue(uow, { kind: 'test.note', payload: { text: 'never' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await until(() => seen.length === 1, 'the delivery');
    expect(seen[0]).toMatchObject({ uid: written!.uid, payload: { text: 'hello' }, attempt: 1 });
    const [row] = await rows();
    expect(row).toMatchObject({ attempts: 1, locked_until: null });
    expect(row!.done_at).toBeInstanceOf(Date);
    expect(await rows()).toHaveLength(1);
  });

  it('writes rows from a bus event inside the transaction that records it', async () => {
    const bus = createEventBus();
    const outbox = worker({ bus });
    const seen: string[] = [];
    outbox.handle('test.flag', async (job) => void seen.push(job.payload.commentId));
    outbox.within('comment.flagged', (e) => [{ kind: 'test.flag', payload: { commentId: e.commentId }, lane: `site:${e.siteId}` }]);
    outbox.start();
    const flagged = { siteId: 's', threadId: 't', flagCount: 1, threshold: 3, entered: false, reason: 'spam' };
    await inTransaction({ db: database.db, bus }, (uow) => uow.record('comment.flagged', { ...flagged, commentId: 'c1' }));
    await expect(
      inTransaction({ db: database.db, bus }, async (uow) => {
        await uow.record('comment.flagged', { ...flagged, commentId: 'c2' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow();
    await until(() => seen.length === 1, 'the delivery');
    expect(seen).toEqual(['c1']);
    expect((await rows()).map((r) => r.lane)).toEqual(['site:s']);
  });

  it('retries with growing delays on the injected clock, then gives up', async () => {
    const clock = createClock();
    const outbox = worker({ clock });
    const attempts: number[] = [];
    outbox.handle(
      'test.flaky',
      async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`refused ${job.attempt}`);
      },
      { backoffMs: (n) => 30_000 * 2 ** (n - 1) },
    );
    outbox.handle('test.broken', async () => {
      throw new Error('down');
    }, { maxAttempts: 2, backoffMs: () => 1000 });
    await enqueue(outbox, [{ kind: 'test.flaky', payload: {} }]);
    expect(await outbox.drain()).toBe(1);
    expect(attempts).toEqual([1]);
    const [afterOne] = await rows();
    expect(afterOne!.last_error).toBe('refused 1');
    expect(afterOne!.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThan(25_000);

    expect(await outbox.drain()).toBe(0); // not yet due
    clock.advance(30_000);
    await outbox.drain();
    expect(attempts).toEqual([1, 2]);
    clock.advance(59_000); // the second delay is twice the first
    expect(await outbox.drain()).toBe(0);
    clock.advance(1_000);
    await outbox.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect((await rows())[0]!.done_at).toBeInstanceOf(Date);

    await enqueue(outbox, [{ kind: 'test.broken', payload: {} }]);
    await outbox.drain();
    clock.advance(1000);
    await outbox.drain();
    clock.advance(60_000);
    expect(await outbox.drain()).toBe(0);
    const broken = (await rows())[1]!;
    expect(broken).toMatchObject({ attempts: 2, last_error: 'down', done_at: null });
    expect(broken.failed_at).toBeInstanceOf(Date);
  });

  it('gives up at once on a failure no retry can mend', async () => {
    const outbox = worker();
    outbox.handle('test.refused', async () => {
      throw new OutboxGiveUp('mailbox does not exist');
    });
    await enqueue(outbox, { kind: 'test.refused', payload: {} });
    await outbox.drain();
    expect((await rows())[0]).toMatchObject({ attempts: 1, last_error: 'mailbox does not exist' });
    expect((await rows())[0]!.failed_at).toBeInstanceOf(Date);
  });

  it('claims a dead worker\'s row again once its lease has run out, under the same uid', async () => {
    const clock = createClock();
    // A worker that dies in the middle of a send: its handler never returns.
    const dying = worker({ clock, leaseMs: 120_000 });
    let started = false;
    dying.handle('test.mail', () => {
      started = true;
      return new Promise(() => {});
    });
    const [written] = await enqueue(dying, { kind: 'test.mail', payload: {} });
    void dying.drain();
    await until(() => started, 'the first send to start');
    workers.splice(workers.indexOf(dying), 1);

    const survivor = worker({ clock, db: second.db });
    const sent: string[] = [];
    survivor.handle('test.mail', async (job) => void sent.push(job.uid));
    expect(await survivor.drain()).toBe(0); // leased to the dead worker
    clock.advance(119_000);
    expect(await survivor.drain()).toBe(0);
    clock.advance(2_000);
    expect(await survivor.drain()).toBe(1);
    expect(sent).toEqual([written!.uid]);
    expect((await rows())[0]).toMatchObject({ attempts: 2, locked_by: survivor.workerId });
  });

  it('shares a burst between two workers without sending any row twice', async () => {
    const a = worker({ batchSize: 7 });
    const b = worker({ batchSize: 5, db: second.db });
    const sent: Array<{ uid: string; by: string }> = [];
    for (const w of [a, b]) {
      w.handle('test.burst', async (job) => {
        await new Promise((r) => setTimeout(r, job.id % 3));
        sent.push({ uid: job.uid, by: w.workerId });
      });
    }
    const messages = Array.from({ length: 300 }, (_, i) => ({ kind: 'test.burst', payload: { i } }));
    await enqueue(a, messages);
    a.start();
    b.start();
    await until(() => sent.length >= 300, '300 deliveries');
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toHaveLength(300);
    expect(new Set(sent.map((s) => s.uid)).size).toBe(300);
    expect((await rows()).every((r) => r.done_at !== null && r.attempts === 1)).toBe(true);
    // Both took part (each claims as soon as it starts).
    expect(new Set(sent.map((s) => s.by)).size).toBe(2);
  });

  it('delivers a lane one row at a time in id order, and holds it while its head is retried', async () => {
    const clock = createClock();
    const a = worker({ clock });
    const b = worker({ clock, db: second.db });
    const order: string[] = [];
    let active = 0;
    let most = 0;
    let failHead = true;
    for (const w of [a, b]) {
      w.handle('test.hook', async (job) => {
        const inLane = job.lane !== null;
        if (inLane) active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 5));
        if (inLane) active--;
        if (job.payload.n === 0 && failHead) {
          failHead = false;
          throw new Error('endpoint down');
        }
        order.push(`${job.lane}:${job.payload.n}`);
      });
    }
    await enqueue(a, [0, 1, 2, 3].map((n) => ({ kind: 'test.hook', lane: 'thread:1', payload: { n } })));
    await enqueue(a, [{ kind: 'test.hook', payload: { n: 9 } }]);
    await Promise.all([a.drain(), b.drain()]);
    // The head failed: the rest of its lane waits; a row outside the lane does not.
    expect(order).toEqual(['null:9']);
    clock.advance(60_000);
    await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
    while ((await rows()).some((r) => r.done_at === null)) await Promise.all([a.drain(), b.drain()]);
    expect(order).toEqual(['null:9', 'thread:1:0', 'thread:1:1', 'thread:1:2', 'thread:1:3']);
    expect(most).toBe(1);
  });

  it('sends a lane\'s backlog in runs, in order, and hands back unsent the rows behind a failed one', async () => {
    const clock = createClock();
    const outbox = worker({ clock, runLength: 10 });
    const order: number[] = [];
    let failAt: number | null = 13;
    outbox.handle('test.hook', async (job) => {
      if (job.payload.n === failAt) {
        failAt = null;
        throw new Error('endpoint down');
      }
      order.push(job.payload.n);
    });
    await enqueue(outbox, Array.from({ length: 25 }, (_, n) => ({ kind: 'test.hook', lane: 'thread:1', payload: { n } })));
    // The first run (0-9) went; the second stopped at 13, which waits for its retry with 14-19 behind it:
    // fourteen rows tried.
    expect(await outbox.drain()).toBe(14);
    expect(order).toEqual(Array.from({ length: 13 }, (_, n) => n));
    // Another lane, and a row outside lanes, go meanwhile: the rows due behind 13 hold back only their own lane.
    await enqueue(outbox, [100, 101].map((n) => ({ kind: 'test.hook', lane: 'thread:2', payload: { n } })));
    await enqueue(outbox, { kind: 'test.hook', payload: { n: 200 } });
    await outbox.drain();
    // (Lanes go side by side: only within one is the order promised.)
    expect(order.slice(13).filter((n) => n < 200)).toEqual([100, 101]);
    expect(order.slice(13)).toContain(200);
    order.splice(13);
    const waiting = (await rows()).filter((r) => r.done_at === null);
    expect(waiting.map((r) => (r.payload as { n: number }).n)).toEqual(Array.from({ length: 12 }, (_, i) => 13 + i));
    expect(waiting[0]).toMatchObject({ attempts: 1, last_error: 'endpoint down' });
    // Those handed back were never tried: no attempt counted, no lease held.
    expect(waiting.slice(1).every((r) => r.attempts === 0 && r.locked_until === null)).toBe(true);
    clock.advance(60_000);
    await outbox.drain();
    expect(order).toEqual(Array.from({ length: 25 }, (_, n) => n));
    expect((await rows()).every((r) => r.done_at !== null)).toBe(true);
  });

  it('reads what a run needs once, and writes its sends together when the run ends, before the rows behind a failure go back', async () => {
    const clock = createClock();
    const outbox = worker({ clock, runLength: 10 });
    const prepared: number[][] = [];
    const recorded: number[][] = [];
    const sent: Array<[number, unknown]> = [];
    let failAt: number | null = 15;
    let recordFails = false;
    const n = (job: OutboxJob) => (job.payload as { n: number }).n;
    outbox.handle(
      'test.hook',
      async (job, run) => {
        if (n(job) === failAt) {
          failAt = null;
          throw new Error('endpoint down');
        }
        sent.push([n(job), run]);
        return { note: `sent ${n(job)}` };
      },
      {
        prepare: async (jobs) => {
          prepared.push(jobs.map(n));
          return `run from ${n(jobs[0]!)}`;
        },
        record: async (done) => {
          if (recordFails) throw new Error('database gone');
          expect(done.map((d) => d.note)).toEqual(done.map((d) => `sent ${n(d.job)}`));
          // The rows are still claimed until written: no other worker may take them meanwhile.
          const ids = done.map((d) => d.job.id);
          const before = (await rows()).filter((r) => ids.includes(Number(r.id)));
          expect(before.every((r) => r.done_at === null && r.locked_until !== null)).toBe(true);
          await database.db.updateTable('outbox').set({ done_at: clock.now(), locked_until: null }).where('id', 'in', ids).execute();
          recorded.push(done.map((d) => n(d.job)));
        },
      },
    );
    await enqueue(outbox, Array.from({ length: 18 }, (_, i) => ({ kind: 'test.hook', lane: 'thread:1', payload: { n: i } })));
    await outbox.drain();
    // One read per run, given to each of its rows; one write per run, of the rows it sent.
    expect(prepared).toEqual([Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 8 }, (_, i) => 10 + i)]);
    expect(sent.map(([i]) => i)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(sent.every(([i, run]) => run === `run from ${i < 10 ? 0 : 10}`)).toBe(true);
    // 10-14 were written when 15 failed, before 16 and 17 went back: the lane's head is 15, waiting its retry.
    expect(recorded).toEqual([Array.from({ length: 10 }, (_, i) => i), [10, 11, 12, 13, 14]]);
    const waiting = (await rows()).filter((r) => r.done_at === null);
    expect(waiting.map((r) => [(r.payload as { n: number }).n, r.attempts, r.last_error])).toEqual([
      [15, 1, 'endpoint down'],
      [16, 0, null],
      [17, 0, null],
    ]);

    // A write that fails leaves its rows claimed: sent again, under the same uid, once the lease runs out.
    recordFails = true;
    clock.advance(60_000);
    await outbox.drain();
    expect(sent.map(([i]) => i).slice(15)).toEqual([15, 16, 17]);
    const uids = (await rows()).filter((r) => r.done_at === null).map((r) => r.uid);
    expect(uids).toHaveLength(3);
    recordFails = false;
    clock.advance(121_000);
    await outbox.drain();
    expect(sent.map(([i]) => i).slice(18)).toEqual([15, 16, 17]);
    expect(recorded.at(-1)).toEqual([15, 16, 17]);
    expect((await rows()).filter((r) => uids.includes(r.uid)).every((r) => r.done_at !== null)).toBe(true);
  });

  it('hands back the rest of a run when the worker stops, or when half its lease went on the rows before', async () => {
    const clock = createClock();
    const outbox = worker({ clock, leaseMs: 120_000 });
    const sent: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    outbox.handle('test.hook', async (job) => {
      if (job.payload.n === 1) await held;
      if (job.payload.n === 3) clock.advance(61_000); // a slow receiver: half the lease is gone
      sent.push(job.payload.n);
    });
    await enqueue(outbox, Array.from({ length: 6 }, (_, n) => ({ kind: 'test.hook', lane: 'thread:1', payload: { n } })));
    const draining = outbox.drain();
    await until(() => sent.length === 1, 'the head to go');
    const stopping = outbox.stop(5_000);
    release();
    await Promise.all([draining, stopping]);
    // Row 1 was in flight and finished; 2-5 were handed back as they were.
    expect(sent).toEqual([0, 1]);
    const left = (await rows()).filter((r) => r.done_at === null);
    expect(left.map((r) => [(r.payload as { n: number }).n, r.attempts, r.locked_until])).toEqual([2, 3, 4, 5].map((n) => [n, 0, null]));

    const next = worker({ clock, leaseMs: 120_000, db: second.db });
    next.handle('test.hook', async (job) => {
      if (job.payload.n === 3) clock.advance(61_000);
      sent.push(job.payload.n);
    });
    await next.drain();
    expect(sent).toEqual([0, 1, 2, 3, 4, 5]);
    // 4 and 5 came in a second claim, after 3 used up half the lease: each was still tried once.
    expect((await rows()).every((r) => r.done_at !== null && r.attempts === 1)).toBe(true);
  });

  it('claims through the lane index when a backlog grew faster than the statistics', async () => {
    // Statistics taken while the queue held only reply mails waiting out their window...
    const site = await database.db.insertInto('sites').values({ id: 'plans', name: 'Plans', origins: '[]', settings: '{}' }).returning('id').executeTakeFirstOrThrow();
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'mail' || g, 'test.mail', 'replies:' || g, ${site.id}, '{}', now() + interval '15 minutes', now()
      from generate_series(1, 200) g`.execute(database.db);
    await sql`analyze outbox`.execute(database.db);
    // ...then 6,000 webhooks of 20 threads, all due, at once.
    await sql`
      insert into outbox (uid, kind, lane, site_id, payload, next_attempt_at, created_at)
      select 'hook' || g, 'test.hook', 'wh:e1:t' || (g % 20), ${site.id}, '{}', now() - interval '10 minutes', now()
      from generate_series(1, 6000) g`.execute(database.db);
    const now = new Date();
    const steps = await planOf(database.db, claimStatement('w', now, new Date(now.getTime() + 120_000), 10, 10).compile(database.db));
    // Each lane's first due row from the lane index, rows outside lanes from their own, the rest by
    // id: never a read of every due row (outbox_due), at each step of the walk or once, nor of the table.
    const indexes = new Set(steps.filter((n) => n['Index Name']?.startsWith('outbox')).map((n) => n['Index Name']));
    expect([...indexes].sort()).toEqual(expect.arrayContaining(['outbox_free_due', 'outbox_lane_due']));
    for (const index of indexes) expect(['outbox_lane_due', 'outbox_free_due', 'outbox_pkey']).toContain(index);
    expect(steps.filter((n) => n['Relation Name'] === 'outbox' && n['Node Type'] === 'Seq Scan')).toEqual([]);
  });

  it('keeps one untried row per dedupe key, and runs a recurring row again under a new uid', async () => {
    const clock = createClock();
    const outbox = worker({ clock });
    const runs: string[] = [];
    outbox.handle('test.digest', async (job) => {
      runs.push(job.uid);
      return { reschedule: { at: new Date(clock.now().getTime() + 3600_000) } };
    });
    const first = await enqueue(outbox, { kind: 'test.digest', dedupeKey: 'digest:m1', payload: {} });
    const again = await enqueue(outbox, { kind: 'test.digest', dedupeKey: 'digest:m1', payload: {} });
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    await outbox.drain();
    expect(await outbox.drain()).toBe(0);
    clock.advance(3600_000);
    await outbox.drain();
    expect(runs).toHaveLength(2);
    expect(runs[0]).toBe(first[0]!.uid);
    expect(runs[1]).not.toBe(runs[0]);
    expect(await rows()).toHaveLength(1);
  });
});
