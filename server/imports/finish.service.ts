import { type TxDeps, inTransaction, type UnitOfWork } from '../db';
import type { ImportReport } from './import.report';
import { recordThreadUpdate } from '../threads/thread.events';
import * as repo from './finish.repo';

const PAGE = 200;

/**
 * What every import does last, for each thread it added comments to: counters recomputed from the
 * rows themselves (the file's own counts are never trusted), and one `thread:updated` event with
 * the thread's next seq, so a reader who has the thread open reloads it. Returns how many threads.
 */
export async function finishThreads(uow: UnitOfWork): Promise<number> {
  const { trx } = uow;
  await repo.recountTouched(trx);
  let after = '';
  let touched = 0;
  for (;;) {
    const page = await repo.touchedPage(trx, after, PAGE);
    for (const threadId of page) {
      const { seq } = await recordThreadUpdate(uow, threadId);
      await repo.setTouchedSeq(trx, threadId, seq);
      touched++;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!;
  }
  await repo.stampImportedSeqs(trx);
  return touched;
}

/** Thrown to roll back a dry run once its report is ready. */
export class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

/**
 * Runs an import in one transaction. `work` writes everything, finishes the threads it touched and
 * returns its report: a dry run is rolled back there and only reported; a real one tells the
 * moderation queues to read their counts again (one event per import).
 */
export async function importTransaction(
  deps: TxDeps,
  dryRun: boolean,
  work: (uow: UnitOfWork) => Promise<{ report: ImportReport; touched: number }>,
): Promise<ImportReport> {
  try {
    return await inTransaction(deps, async (uow) => {
      const { report, touched } = await work(uow);
      if (dryRun) throw new DryRunRollback(report);
      if (report.comments.total > 0) uow.emit('site.imported', { siteId: report.siteId, threads: touched, comments: report.comments.total });
      return report;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.report;
    throw err;
  }
}
