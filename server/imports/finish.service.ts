import type { UnitOfWork } from '../db';
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
