/**
 * The outbox worker (SPEC §10, §13 "Events, outbox and listeners"). Every instance runs one. It
 * claims due rows in one short statement (FOR UPDATE SKIP LOCKED, with a lease), delivers them with
 * no transaction open, and marks each done or failed: several instances share the rows without
 * sending one twice, and a row whose instance died mid-send is claimed again once its lease runs
 * out. Delivery is at least once: a send in flight at a kill may be repeated, under the same `uid`.
 *
 * Handlers are registered per kind (`outbox.handle('mail', fn)`); rows are written inside the
 * change's transaction (`outbox.enqueue`, or `outbox.within` for a bus event), and the worker is
 * woken once that transaction commits; it also polls, for rows written by other instances and rows
 * whose time has come.
 */
import type { Logger } from 'pino';
import type { OutboxRow } from '../../db/schema';
import type { Clock } from '../clock';
import type { Db, Tx } from '../db';
import type { DomainEventName, DomainEvents, EventBus } from '../events';
import { newId } from '../ids';
import * as repo from './outbox.repo';

export type { OutboxMessage } from './outbox.repo';

/** One row as its handler sees it. `uid` is stable across retries: the Message-ID or webhook-id. */
export interface OutboxJob<P = any> {
  id: number;
  uid: string;
  kind: string;
  lane: string | null;
  siteId: string | null;
  commenterId: string | null;
  payload: P;
  /** 1 on the first try. */
  attempt: number;
  createdAt: Date;
}

/** What a handler may answer instead of "done": run this row again at `at` (a recurring digest). */
export interface OutboxOutcome {
  reschedule?: { at: Date; payload?: unknown };
  /**
   * Done, to be written by the kind's `record` (which marks the row done with the kind's own note of
   * the send) together with the run's other rows, once the run ends: one write for a run instead of
   * two per row. Until then the row stays claimed; if the process dies first, it is sent again when
   * its lease runs out (at least once, under the same `uid`).
   */
  note?: unknown;
}

/** `prepared`: what the kind's `prepare` read for the row's run (undefined without one). */
export type OutboxHandler<P = any> = (job: OutboxJob<P>, prepared?: any) => Promise<void | OutboxOutcome>;

export interface HandlerOptions {
  /** Tries before the row is given up (`failed_at`); default 10. Infinity: never. */
  maxAttempts?: number;
  /** Delay before try n+1 after try n failed; default 30 s doubling, at most 1 h. */
  backoffMs?: (attempt: number) => number;
  /**
   * Reads what a run of this kind's rows needs (their endpoint, the rows their events are about)
   * once, before the run's first row is sent: one read for a lane's run instead of one per row.
   * Each row's handler gets the answer.
   */
  prepare?: (jobs: OutboxJob[]) => Promise<unknown>;
  /** Writes a run's rows answered with a `note`: marks them done (`markDoneWith`) with the kind's record of each. */
  record?: (done: Array<{ job: OutboxJob; note: unknown }>) => Promise<void>;
}

/** Thrown by a handler for a failure no retry can mend (an address the server refuses for good). */
export class OutboxGiveUp extends Error {}

/** Where a row is written: the change's unit of work (its transaction, and a hook run after commit). */
export interface OutboxTarget {
  trx: Tx;
  afterCommit(fn: () => void): void;
}

export interface Outbox {
  handle<P = any>(kind: string, handler: OutboxHandler<P>, options?: HandlerOptions): void;
  /** Writes rows in the target's transaction; the worker is woken after it commits. */
  enqueue(target: OutboxTarget, messages: repo.OutboxMessage | repo.OutboxMessage[]): Promise<Array<{ id: number; uid: string }>>;
  /** An in-transaction writer for a bus event: the rows `build` returns are written with the change. */
  within<K extends DomainEventName>(
    name: K,
    build: (payload: DomainEvents[K], trx: Tx) => Promise<repo.OutboxMessage[]> | repo.OutboxMessage[],
  ): () => void;
  start(): void;
  /** Stops polling and waits for the sends in flight (their rows are marked), up to `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Claims at once (after a commit, or after a test moved the clock). */
  wake(): void;
  /** Delivers everything due now, claim after claim, and resolves when nothing due is left. */
  drain(): Promise<number>;
  readonly workerId: string;
}

export interface OutboxOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  bus?: EventBus;
  pollMs?: number;
  leaseMs?: number;
  /** Lanes (and rows outside lanes) claimed at once and sent concurrently. */
  batchSize?: number;
  /** Rows of one lane claimed together: sent one after another, in order. */
  runLength?: number;
}

export const DEFAULT_BACKOFF = (attempt: number) => Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
const NO_HANDLER_DELAY_MS = 60_000;

/** The items by key, each list in the items' order, the keys in the order they first came. */
function groupBy<T, K>(items: T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

/** A lane's run while it is sent: its kinds' reads, and the rows done but not yet written. */
interface RunState {
  prepared: Map<string, Promise<unknown>>;
  notes: Array<{ job: OutboxJob; note: unknown }>;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { db, clock, log } = options;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 120_000;
  const batchSize = options.batchSize ?? 10;
  const runLength = options.runLength ?? 10;
  const workerId = newId();
  const handlers = new Map<string, HandlerOptions & Required<Pick<HandlerOptions, 'maxAttempts' | 'backoffMs'>> & { run: OutboxHandler }>();
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let unreachable = false;
  let started = false;
  let stopped = false;

  const jobOf = (row: OutboxRow): OutboxJob => ({
    id: Number(row.id),
    uid: row.uid,
    kind: row.kind,
    lane: row.lane,
    siteId: row.site_id,
    commenterId: row.commenter_id,
    payload: row.payload,
    attempt: row.attempts,
    createdAt: row.created_at,
  });

  /** Sends one row and records how it went; true when it is done (the next row of its lane may go). */
  async function deliver(row: OutboxRow, run: RunState): Promise<boolean> {
    const job = jobOf(row);
    const handler = handlers.get(job.kind);
    if (!handler) {
      // Another instance (a newer version, during a rolling deploy) may know this kind.
      await repo.release(db, job.id, new Date(clock.now().getTime() + NO_HANDLER_DELAY_MS));
      return false;
    }
    try {
      const outcome = await handler.run(job, await run.prepared.get(job.kind));
      if (outcome?.reschedule) {
        await repo.reschedule(db, job.id, outcome.reschedule.at, outcome.reschedule.payload);
        return false;
      }
      if (outcome && 'note' in outcome && handler.record) run.notes.push({ job, note: outcome.note });
      else await repo.markDone(db, job.id, clock.now());
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = err instanceof OutboxGiveUp || job.attempt >= handler.maxAttempts;
      const now = clock.now();
      const retryAt = giveUp ? null : new Date(now.getTime() + handler.backoffMs(job.attempt));
      // The kind and the row, never the payload: it may hold an address.
      log.warn({ outbox: { id: job.id, kind: job.kind, attempt: job.attempt, giveUp }, err: { message } }, 'outbox delivery failed');
      await repo.markFailed(db, job.id, now, message, retryAt);
      return false;
    }
  }

  /**
   * A lane's claimed rows, one after another in id order (a row outside lanes is a run of one). A row
   * not done (failed, handed back, recurring) keeps its lane's place, so the rows behind it are handed
   * back unsent, this try not counted; so are they when the worker stops, or when half their lease has
   * gone on the rows before them (past it, another worker could take the next one as the lane's head).
   */
  async function deliverRun(rows: OutboxRow[], claimedAt: number): Promise<number> {
    const run: RunState = { prepared: prepareRun(rows), notes: [] };
    for (const [i, row] of rows.entries()) {
      const late = i > 0 && (stopped || clock.now().getTime() - claimedAt > leaseMs / 2);
      if (late || !(await deliver(row, run))) {
        const tried = late ? i : i + 1;
        // The rows sent are written first: until then they hold their lane, and the rest would wait.
        await recordRun(run);
        if (tried < rows.length) await repo.releaseAll(db, rows.slice(tried).map((r) => Number(r.id)));
        return tried;
      }
    }
    await recordRun(run);
    return rows.length;
  }

  /** The run's rows answered with a note, written by their kind's `record`: one statement per kind. */
  async function recordRun(run: RunState): Promise<void> {
    const byKind = groupBy(run.notes, (done) => done.job.kind);
    run.notes = [];
    await Promise.all([...byKind].map(([kind, done]) => handlers.get(kind)!.record!(done)));
  }

  /**
   * Each kind's `prepare` for the run's rows of that kind, started at once. A failed read fails the
   * run's first row of the kind (its handler's await throws), which is then retried like any failure.
   */
  function prepareRun(rows: OutboxRow[]): Map<string, Promise<unknown>> {
    const byKind = groupBy(rows.filter((row) => handlers.get(row.kind)?.prepare).map(jobOf), (job) => job.kind);
    const prepared = new Map<string, Promise<unknown>>();
    for (const [kind, jobs] of byKind) {
      const reading = handlers.get(kind)!.prepare!(jobs);
      reading.catch(() => {}); // awaited by the kind's first row; a run stopped before it must not leave it unhandled
      prepared.set(kind, reading);
    }
    return prepared;
  }

  async function claimAndSend(): Promise<number> {
    const now = clock.now();
    const rows = await repo.claimDue(db, workerId, now, new Date(now.getTime() + leaseMs), batchSize, runLength);
    const runs = groupBy(rows, (row) => row.lane ?? Number(row.id));
    // The rows tried (a row handed back untried is not).
    const tried = await Promise.all(
      [...runs.values()].map((run) => {
        const sending = deliverRun(run, now.getTime()).catch((err) => {
          log.error({ err, outbox: { id: run[0]!.id } }, 'outbox could not record a delivery');
          return run.length;
        });
        inFlight.add(sending);
        return sending.finally(() => inFlight.delete(sending));
      }),
    );
    return tried.reduce((sum, n) => sum + n, 0);
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let sent = 0;
      try {
        do {
          again = false;
          for (;;) {
            const n = await claimAndSend();
            sent += n;
            if (n === 0 || stopped) break; // a stopping worker claims nothing more
          }
        } while (again && !stopped);
        if (unreachable) log.info('outbox: the database answers again; delivering');
        unreachable = false;
      } catch (err) {
        // Polled every second: one line per outage, not one per poll.
        if (!unreachable) log.warn({ err: (err as Error).message }, 'outbox: cannot claim work (database unreachable?); trying again at each poll');
        unreachable = true;
      } finally {
        running = undefined;
      }
      return sent;
    })();
    return running;
  }

  function schedule(): void {
    if (stopped || !started) return;
    timer = setTimeout(() => {
      void drain().finally(schedule);
    }, pollMs);
    timer.unref();
  }

  const wake = () => {
    if (started && !stopped) void drain();
  };

  const outbox: Outbox = {
    workerId,
    handle(kind, run, opts = {}) {
      handlers.set(kind, { ...opts, run, maxAttempts: opts.maxAttempts ?? 10, backoffMs: opts.backoffMs ?? DEFAULT_BACKOFF });
    },
    async enqueue(target, messages) {
      const list = Array.isArray(messages) ? messages : [messages];
      const written = await repo.insertMessages(target.trx, clock.now(), list);
      if (written.length) target.afterCommit(wake);
      return written.map((w) => ({ id: Number(w.id), uid: w.uid }));
    },
    within(name, build) {
      if (!options.bus) throw new Error('outbox.within needs the event bus');
      return options.bus.within(name, async (trx, payload, context) => {
        const messages = await build(payload, trx);
        if (messages.length) await outbox.enqueue({ trx, afterCommit: context.afterCommit }, messages);
      });
    },
    start() {
      if (started) return;
      started = true;
      wake();
      schedule();
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.all([running, ...inFlight]).then(() => undefined), grace]);
    },
    wake,
    drain,
  };
  return outbox;
}
