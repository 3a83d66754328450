import type { TxDeps, UnitOfWork } from '../db';

/**
 * Group commit for new comments, per thread. Every post to a thread takes the thread's row lock (its
 * next `seq`: events must commit in seq order), and a lock is held until its transaction commits —
 * so one post at a time per thread, each waiting for the previous commit to reach the disk. On a busy
 * thread that wait is most of a post's time.
 *
 * Here posts to the same thread that arrive while a commit is in progress wait together and go in
 * the next transaction as a batch: the thread is locked once, and one commit makes the whole batch
 * durable. Only then is each post answered and its events published. A post refused before it wrote
 * anything (a duplicate, a thread closed meanwhile: see `refusal`) gets its own error and the batch
 * goes on; any other failure fails the whole batch — nothing of it is written, and no post of it
 * was acknowledged.
 */
export interface ThreadWriter {
  run<T>(threadId: string, job: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

const REFUSED = Symbol('refused before writing');

/** Marks an error thrown by a job before it wrote anything: only that job fails. */
export function refusal<E extends Error>(err: E): E {
  return Object.assign(err, { [REFUSED]: true });
}

const isRefusal = (err: unknown) => typeof err === 'object' && err !== null && REFUSED in err;

interface Job {
  job: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export function createThreadWriter(deps: TxDeps, options: { maxBatch?: number } = {}): ThreadWriter {
  const maxBatch = options.maxBatch ?? 50;
  const queues = new Map<string, Job[]>();

  async function drain(threadId: string, queue: Job[]): Promise<void> {
    while (queue.length) {
      const batch = queue.splice(0, maxBatch);
      const settled: Array<{ job: Job; ok: boolean; value: unknown; pending: Array<() => void> }> = [];
      try {
        await deps.db.transaction().execute(async (trx) => {
          // The thread first, once for the batch: the lock order stays thread, then comments.
          await trx.selectFrom('threads').select('id').where('id', '=', threadId).forUpdate().execute();
          for (const job of batch) {
            const pending: Array<() => void> = [];
            const uow: UnitOfWork = {
              trx,
              emit: (name, payload) => pending.push(() => deps.bus.emit(name, payload)),
              afterCommit: (cb) => pending.push(cb),
            };
            try {
              settled.push({ job, ok: true, value: await job.job(uow), pending });
            } catch (err) {
              if (!isRefusal(err)) throw err;
              settled.push({ job, ok: false, value: err, pending: [] });
            }
          }
        });
      } catch (err) {
        // Not committed: nothing of the batch was written, and nobody is told otherwise.
        for (const job of batch) job.reject(err);
        continue;
      }
      for (const s of settled) {
        if (!s.ok) {
          s.job.reject(s.value);
          continue;
        }
        for (const run of s.pending) run();
        s.job.resolve(s.value);
      }
    }
    queues.delete(threadId);
  }

  return {
    run<T>(threadId: string, job: (uow: UnitOfWork) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const entry: Job = { job, resolve: resolve as (v: unknown) => void, reject };
        const queue = queues.get(threadId);
        if (queue) {
          queue.push(entry);
          return;
        }
        const fresh = [entry];
        queues.set(threadId, fresh);
        void drain(threadId, fresh);
      });
    },
  };
}
