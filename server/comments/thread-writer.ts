import type { RawBuilder } from 'kysely';
import { type LastStatement, transactionCommittingWith, type Tx, type TxDeps, type UnitOfWork, unitOfWork } from '../db';

/**
 * Group commit for new comments, per thread. Every post to a thread takes the thread's row lock (its
 * next `seq`: events must commit in seq order), and a lock is held until its transaction commits —
 * so one post at a time per thread, each waiting for the previous commit to reach the disk. On a busy
 * thread that wait is most of a post's time.
 *
 * Here posts to the same thread wait together and go in one transaction as a batch. The next
 * batch's transaction opens while the current one is still writing, and waits in the database for
 * the thread's lock (`lock`): it is granted the moment the current batch commits, and the batch is
 * whatever has arrived by then. `plan` decides under the lock what each post becomes (its row, or
 * why it is refused) and gives one statement that writes the batch; one commit makes it durable, and
 * only then is each post answered and its events published. Each post's `then` runs in the same
 * transaction with what `plan` said of it, for the work that follows a comment (counters, the
 * idempotency record), and `settle` may add one statement for what they left to do together.
 *
 * While the thread is locked, every round trip to the database holds up the next batch. When no
 * post's `then` writes statements of its own (`writesMore`), the posts' `then`s run first, and the
 * batch's statement, `settle`'s and the commit go to PostgreSQL as one message.
 *
 * A post refused before it wrote anything (a duplicate, a thread closed meanwhile: see `refusal`)
 * gets its own error and the batch goes on. A batch whose statement finds some posts already in the
 * database (`refusedBy`) writes nothing: those posts are refused, the others go in the next batch.
 * Any other failure fails the whole batch — nothing of it is written, and no post of it was
 * acknowledged — unless the failure was the commit's answer, lost after PostgreSQL committed: the
 * database is asked (`committed`), and a batch written after all is answered and published as one.
 */
export interface ThreadWriter<I, O> {
  run<T>(threadId: string, input: I, then: (uow: UnitOfWork, outcome: O) => Promise<T>): Promise<T>;
}

export interface ThreadClaim<I, O, L> {
  /**
   * Takes the thread's row lock in the batch's transaction; returns the thread as locked. Its
   * statement starts with `opening`: it may be what opens the transaction (transactionCommittingWith).
   */
  lock(trx: Tx, threadId: string, opening: RawBuilder<unknown>): Promise<L>;
  /** What each input becomes under that lock (in order), and the statement that writes them. */
  plan(threadId: string, inputs: I[], locked: L): { outcomes: O[]; write: RawBuilder<unknown> | undefined };
  /** Whether an input's `then` writes statements of its own. */
  writesMore(input: I): boolean;
  /** The inputs (their positions) that a failed `write` found already written, if that is why it failed. */
  refusedBy(err: unknown): number[] | undefined;
  /** The error an input refused that way gets. */
  refusedError(): unknown;
  /**
   * After every post's `then`: a statement for what they left to be done together, run with the
   * commit (transactionCommittingWith).
   */
  settle?(trx: Tx): RawBuilder<unknown> | undefined;
  /** A failed batch's error as its posts should get it (by default, as it is). */
  failure?(err: unknown): unknown;
  /**
   * Whether a batch whose commit failed was written after all: the connection can break after
   * PostgreSQL committed and before its answer came back. Asked on a fresh connection.
   */
  committed?(db: TxDeps['db'], outcomes: O[]): Promise<boolean>;
}

const REFUSED = Symbol('refused before writing');

/** Marks an error thrown by a job before it wrote anything: only that job fails. */
export function refusal<E extends Error>(err: E): E {
  return Object.assign(err, { [REFUSED]: true });
}

const isRefusal = (err: unknown) => typeof err === 'object' && err !== null && REFUSED in err;

interface Job<I, O> {
  input: I;
  then: (uow: UnitOfWork, outcome: O) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Lane<I, O> {
  queue: Job<I, O>[];
  /** A transaction is open and waiting for the thread's lock: new posts join the batch it will take. */
  waiting: boolean;
  /** Transactions open on this thread (at most one writing and one waiting). */
  open: number;
}

export function createThreadWriter<I, O, L>(
  deps: TxDeps,
  writes: ThreadClaim<I, O, L>,
  options: { maxBatch?: number; oneTripCommit?: boolean } = {},
): ThreadWriter<I, O> {
  const maxBatch = options.maxBatch ?? 50;
  const oneTrip = options.oneTripCommit ?? false;
  const lanes = new Map<string, Lane<I, O>>();

  type Settled = Array<{ job: Job<I, O>; ok: boolean; value: unknown; pending: Array<() => void> }>;

  /** A committed batch: each post gets its answer, and its events are published. */
  function answer(settled: Settled): void {
    for (const s of settled) {
      if (!s.ok) {
        s.job.reject(s.value);
        continue;
      }
      for (const run of s.pending) run();
      s.job.resolve(s.value);
    }
  }

  /** Asks the database, a few times while it comes back, whether a batch committed; false if it cannot tell. */
  async function committedAfterAll(outcomes: O[]): Promise<boolean> {
    for (const wait of [0, 250, 1_000]) {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await writes.committed!(deps.db, outcomes);
      } catch {
        /* still unreachable: ask again, then let the posts fail (their retries find the stored answers) */
      }
    }
    return false;
  }

  function open(threadId: string, lane: Lane<I, O>): void {
    lane.waiting = true;
    lane.open++;
    let batch: Job<I, O>[] | undefined;
    let planned: O[] | undefined;
    let settled: Settled = [];
    /** The statements the posts' writers left for the end of the batch's transaction (UnitOfWork.last). */
    let last: LastStatement[] = [];
    const taken = (locked: boolean) => {
      if (batch) return;
      lane.waiting = false;
      batch = lane.queue.splice(0, maxBatch);
      // A busy thread (posts left over, or several in this batch): the next transaction opens now
      // and queues behind this one's lock, so it is granted the moment this batch commits. A thread
      // that is not busy, or whose transaction just failed, opens one when posts are waiting.
      if (lane.queue.length || (locked && batch.length > 1)) open(threadId, lane);
    };
    const runThens = async (trx: Tx, outcomes: O[]) => {
      for (const [i, job] of batch!.entries()) {
        const pending: Array<() => void> = [];
        // A refused post's statements are dropped with its events: only a post that goes in adds them.
        const own: LastStatement[] = [];
        const uow = unitOfWork(trx, deps.bus, pending, own);
        try {
          settled.push({ job, ok: true, value: await job.then(uow, outcomes[i]!), pending });
          last.push(...own);
        } catch (err) {
          if (!isRefusal(err)) throw err;
          settled.push({ job, ok: false, value: err, pending: [] });
        }
      }
    };
    transactionCommittingWith(deps.db, oneTrip, async (trx, opening) => {
      const locked = await writes.lock(trx, threadId, opening);
      taken(true);
      // Opened ahead for a busy thread, but nothing came while it waited: it ends, having written nothing.
      if (!batch!.length) return [];
      const { outcomes, write } = writes.plan(threadId, batch!.map((job) => job.input), locked);
      planned = outcomes;
      if (oneTrip && !batch!.some((job) => writes.writesMore(job.input))) {
        // Nothing else to write: everything goes with the commit, in one round trip.
        await runThens(trx, outcomes);
        return [write, ...last, writes.settle?.(trx)];
      }
      if (write) await write.execute(trx);
      await runThens(trx, outcomes);
      return [...last, writes.settle?.(trx)];
    }).then(
      () => answer(settled),
      async (err: unknown) => {
        // Every post's `then` ran, so the commit was sent: it may have committed with its answer lost.
        const ran = settled.length === batch?.length && settled.length > 0;
        if (ran && planned && writes.committed && (await committedAfterAll(planned))) return answer(settled);
        // Not committed: nothing of the batch was written, and nobody is told otherwise. A
        // transaction that failed before its lock fails the posts that were waiting for it.
        taken(false);
        settled = [];
        last = [];
        const found = writes.refusedBy(err);
        if (found?.length) {
          // Some posts are in the thread already: they are refused, the others go again, first.
          const refused = new Set(found);
          const again = batch!.filter((_, i) => !refused.has(i));
          for (const i of found) batch![i]?.reject(writes.refusedError());
          lane.queue.unshift(...again);
          if (again.length && !lane.waiting) open(threadId, lane);
          return;
        }
        const failure = writes.failure?.(err) ?? err;
        for (const job of batch!) job.reject(failure);
      },
    ).finally(() => {
      lane.open--;
      if (lane.open === 0 && !lane.queue.length) lanes.delete(threadId);
    });
  }

  return {
    run<T>(threadId: string, input: I, then: (uow: UnitOfWork, outcome: O) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const job: Job<I, O> = { input, then, resolve: resolve as (v: unknown) => void, reject };
        let lane = lanes.get(threadId);
        if (!lane) lanes.set(threadId, (lane = { queue: [], waiting: false, open: 0 }));
        lane.queue.push(job);
        if (!lane.waiting) open(threadId, lane);
      });
    },
  };
}
