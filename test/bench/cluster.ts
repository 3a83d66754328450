/**
 * The `cluster` scenario: several Parley instances on one PostgreSQL, readers spread across them on
 * one thread (through round-robin balancers), a steady stream of comments posted through all of
 * them. For each comment: the time from its post's answer (just after commit) until the last reader
 * has it, and whether every reader got it exactly once. Then, in a second stretch of posting, one
 * instance is killed (SIGKILL) and another paused (SIGSTOP for a few seconds): its readers move or
 * wait, and catch up from the log; the catch-up times and completeness are measured again.
 *
 * Readers live in forked processes (cluster-readers.ts), so their work is spread over the cores.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { migrateToLatest, openPostgres } from '../../server/db';
import { newId } from '../../server/ids';
import { type Proc, startProc } from './procs';
import { seedReaders } from './seed';

export interface ClusterOptions {
  databaseUrl: string;
  adapter: 'postgres' | 'redis';
  instances: number;
  readers: number;
  /** Comments per second, posted round-robin through the instances. */
  rate: number;
  seconds: number;
  /** Kill one instance and pause another during a second stretch of posting. */
  faults: boolean;
}

export interface Stretch {
  posted: number;
  /** Share of (reader, comment) pairs delivered, in %. */
  completeness: number;
  /** Deliveries of a comment a reader already had. */
  repeats: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ClusterFigures {
  readers: number;
  steady: Stretch;
  faults?: Stretch & { killCatchUpMs: number; pauseCatchUpMs: number; resyncs: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const READER_PROCESSES = Number(process.env.BENCH_READER_PROCESSES ?? 4);
const PAUSE_MS = 5_000;

interface Report {
  readers: number;
  comments: Record<string, [number, number]>;
  repeats: number;
  resyncs: number;
}

class ReaderProcess {
  readonly child: ChildProcess;
  private waiting: Array<(message: any) => void> = [];
  constructor() {
    this.child = fork(path.join(__dirname, 'cluster-readers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: any) => {
      if (message.type === 'failed') console.error(`  readers failed: ${message.error}`);
      this.waiting.shift()?.(message);
    });
  }
  private ask<T>(message: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(message as object);
    });
  }
  start(ports: number[], threadId: string, count: number) {
    return this.ask<{ readers: number }>({ type: 'start', ports, threadId, count });
  }
  report() {
    return this.ask<Report>({ type: 'report' });
  }
  setPorts(ports: number[]) {
    this.child.send({ type: 'ports', ports });
  }
  stop() {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' });
    return Promise.race([exited, sleep(10_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

async function reportAll(procs: ReaderProcess[]) {
  const reports = await Promise.all(procs.map((p) => p.report()));
  const held = new Map<string, { holders: number; lastAt: number }>();
  for (const r of reports) {
    for (const [id, [holders, lastAt]] of Object.entries(r.comments)) {
      const h = held.get(id) ?? { holders: 0, lastAt: 0 };
      held.set(id, { holders: h.holders + holders, lastAt: Math.max(h.lastAt, lastAt) });
    }
  }
  const sum = (f: (r: Report) => number) => reports.reduce((n, r) => n + f(r), 0);
  return { held, readers: sum((r) => r.readers), repeats: sum((r) => r.repeats), resyncs: sum((r) => r.resyncs) };
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/** Posts `rate` comments a second for `seconds`, each with an Idempotency-Key, retried on another live instance until answered. */
async function postStream(
  label: string,
  urls: () => string[],
  threadId: string,
  rate: number,
  seconds: number,
  answered = new Map<string, number>(),
  during?: (elapsed: number) => void,
) {
  const started = Date.now();
  const inFlight: Array<Promise<void>> = [];
  for (let n = 0; n < rate * seconds; n++) {
    const due = started + (n * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    during?.(Date.now() - started);
    const key = newId();
    const body = JSON.stringify({ body: `${label} comment ${n}: how would you resolve this stand-off?` });
    inFlight.push(
      (async () => {
        let last = '';
        const deadline = Date.now() + 120_000;
        for (let attempt = 0; Date.now() < deadline; attempt++) {
          const all = urls();
          const url = all[(n + attempt) % all.length]!;
          try {
            const res = await fetch(`${url}/api/v1/threads/${threadId}/comments`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', origin: 'http://cluster.test', 'idempotency-key': key },
              body,
              signal: AbortSignal.timeout(10_000),
            });
            if (res.status === 201) {
              const { comment } = (await res.json()) as { comment: { id: string } };
              answered.set(comment.id, Date.now());
              return;
            }
            const text = await res.text();
            last = `${res.status} ${text.slice(0, 200)}`;
            if (res.status < 500 && res.status !== 409) throw new Error(`comment ${n}: ${res.status} ${text.slice(0, 200)}`);
          } catch (err) {
            if ((err as Error).message.startsWith(`comment ${n}:`)) throw err;
            last = String((err as Error).cause ?? (err as Error).message);
            // that instance is down or paused: the same key goes to the next one
          }
          await sleep(250);
        }
        throw new Error(`comment ${n} was never acknowledged (${last})`);
      })(),
    );
  }
  await Promise.all(inFlight);
  return answered;
}

/** Waits until every reader holds every comment of `ids` (or `timeoutMs`); when that was (ms since the epoch), or NaN. */
async function untilAllHold(procs: ReaderProcess[], ids: string[], readers: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const { held } = await reportAll(procs);
    if (ids.every((id) => (held.get(id)?.holders ?? 0) >= readers)) return Date.now();
    await sleep(100);
  }
  return NaN;
}

/**
 * After a fault at `since`: when every reader holds every comment answered more than `slackMs`
 * before the moment of checking (the readers are back in step with the stream), in ms after `since`.
 */
async function caughtUp(procs: ReaderProcess[], answers: Map<string, number>, readers: number, since: number, slackMs = 500): Promise<number> {
  await sleep(slackMs);
  while (Date.now() - since < 60_000) {
    const checkedAt = Date.now();
    const { held } = await reportAll(procs);
    const due = [...answers].filter(([, at]) => at < checkedAt - slackMs);
    if (due.every(([id]) => (held.get(id)?.holders ?? 0) >= readers)) return checkedAt - since;
    await sleep(100);
  }
  return NaN;
}

async function measure(procs: ReaderProcess[], answered: Map<string, number>, readers: number): Promise<Stretch & { resyncs: number }> {
  await untilAllHold(procs, [...answered.keys()], readers, 30_000);
  const { held, repeats, resyncs } = await reportAll(procs);
  let delivered = 0;
  const latencies: number[] = [];
  for (const [id, at] of answered) {
    const h = held.get(id);
    delivered += Math.min(h?.holders ?? 0, readers);
    if (h && h.holders >= readers) latencies.push(Math.max(0, h.lastAt - at));
  }
  return {
    posted: answered.size,
    completeness: (100 * delivered) / Math.max(1, answered.size * readers),
    repeats,
    resyncs,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.length ? Math.max(...latencies) : NaN,
  };
}

export async function clusterScenario(options: ClusterOptions): Promise<ClusterFigures> {
  const handle = openPostgres({ connectionString: options.databaseUrl });
  await migrateToLatest(handle.db);
  const siteId = `cluster-${newId().slice(0, 8)}`;
  await handle.db
    .insertInto('sites')
    .values({ id: siteId, name: 'Cluster', origins: '["http://cluster.test"]', settings: '{}' })
    .execute();
  const threadId = newId();
  await handle.db.insertInto('threads').values({ id: threadId, site_id: siteId, key: `cluster-${threadId}` }).execute();
  await seedReaders(handle.db, 1_000).catch(() => {}); // already seeded by an earlier adapter's run
  await handle.close();

  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    PARLEY_RATE_LIMITS: 'off',
    NODE_ENV: 'production',
    ...(options.adapter === 'redis' ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${siteId}` } : {}),
  };
  const instances: Proc[] = [];
  const readerProcs: ReaderProcess[] = [];
  try {
    for (let i = 0; i < options.instances; i++) instances.push(await startProc('server/main.ts', env));
    const alive = () => instances.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    const ports = instances.map((p) => p.port);
    const perProc = Math.ceil(options.readers / READER_PROCESSES);
    for (let i = 0; i < READER_PROCESSES; i++) readerProcs.push(new ReaderProcess());
    const connected = await Promise.all(readerProcs.map((p, i) => p.start(ports, threadId, Math.min(perProc, options.readers - i * perProc))));
    const readers = connected.reduce((n, c) => n + c.readers, 0);

    const steadyAnswers = await postStream('Steady', () => alive().map((p) => p.url), threadId, options.rate, options.seconds);
    const steady = await measure(readerProcs, steadyAnswers, readers);
    const figures: ClusterFigures = { readers, steady };
    if (!options.faults || options.instances < 3) return figures;

    // The second stretch: kill one instance a third of the way in, pause another at half-way.
    const [killed, paused] = [instances[0]!, instances[1]!];
    const answers = new Map<string, number>();
    let killedAt = 0;
    let pausedNow = false;
    let resumedAt = 0;
    const posting = postStream(
      'Faults',
      () => alive().filter((p) => p !== paused || !pausedNow).map((p) => p.url),
      threadId,
      options.rate,
      options.seconds,
      answers,
      (elapsed) => {
        if (!killedAt && elapsed > (options.seconds * 1000) / 3) {
          killedAt = Date.now();
          killed.child.kill('SIGKILL');
          for (const p of readerProcs) p.setPorts(ports.filter((port) => port !== killed.port));
        }
        if (!pausedNow && !resumedAt && elapsed > (options.seconds * 1000) / 2) {
          pausedNow = true;
          paused.child.kill('SIGSTOP');
          setTimeout(() => {
            paused.child.kill('SIGCONT');
            pausedNow = false;
            resumedAt = Date.now();
          }, PAUSE_MS);
        }
      },
    );
    // Catch-up after each fault: until every reader, moved or kept waiting, is back in step.
    const killCatchUp = (async () => {
      while (!killedAt) await sleep(50);
      return caughtUp(readerProcs, answers, readers, killedAt);
    })();
    const pauseCatchUp = (async () => {
      while (!resumedAt) await sleep(50);
      return caughtUp(readerProcs, answers, readers, resumedAt);
    })();
    await posting;
    const [killCatchUpMs, pauseCatchUpMs] = await Promise.all([killCatchUp, pauseCatchUp]);
    const stretch = await measure(readerProcs, answers, readers);
    figures.faults = { ...stretch, killCatchUpMs, pauseCatchUpMs };
    return figures;
  } finally {
    await Promise.all(readerProcs.map((p) => p.stop()));
    for (const p of instances) if (p.child.signalCode === 'SIGSTOP') p.child.kill('SIGCONT');
    await Promise.all(instances.map((p) => p.stop()));
  }
}
