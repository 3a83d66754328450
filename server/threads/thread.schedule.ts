/**
 * A thread's close and reopen times as recorded changes. Posts already meet the thread as its
 * schedule says at that moment (schedule.rules.ts); this records the change when the time comes, so
 * live readers get `thread:updated` and webhooks `thread.closed` / `thread.reopened`, by whichever
 * instance's outbox worker claims the row written when the time was set. A row whose time was
 * changed meanwhile finds nothing to do: the row of the new time does it.
 */
import type { Clock } from '../clock';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import type { EventBus } from '../events';
import type { Outbox, OutboxMessage } from '../outbox/outbox';
import { recordNotice } from '../sites/notice.events';
import { writeLog } from '../audit/audit.repo';
import { recordThreadUpdate } from './thread.events';
import * as repo from './thread.repo';
import { settledAt, upcoming } from './schedule.rules';
import type { Thread } from '../../db/schema';

declare module '../events' {
  interface DomainEvents {
    /** A thread was given a close or reopen time still to come. */
    'thread.scheduled': { siteId: string; threadId: string; at: string };
  }
}

/** The outbox row that looks at a thread's schedule again at `at` (also written by an archive restore). */
export function threadScheduleMessage(siteId: string, threadId: string, at: Date): OutboxMessage {
  return { kind: 'thread.schedule', siteId, notBefore: at, payload: { threadId } };
}

/** Records that the thread's schedule is to be looked at again at each of its times still to come. */
export async function scheduleThread(uow: UnitOfWork, thread: Pick<Thread, 'id' | 'site_id' | 'closes_at' | 'reopens_at'>, now: Date): Promise<void> {
  for (const at of upcoming(thread, now)) await uow.record('thread.scheduled', { siteId: thread.site_id, threadId: thread.id, at: at.toISOString() });
}

export function registerThreadSchedule(deps: { db: Db; bus: EventBus; clock: Clock; outbox: Outbox }): void {
  deps.outbox.within('thread.scheduled', (e) => [threadScheduleMessage(e.siteId, e.threadId, new Date(e.at))]);

  deps.outbox.handle<{ threadId: string }>('thread.schedule', async (job) => {
    await inTransaction(deps, async (uow) => {
      const thread = await repo.lockThread(uow.trx, job.payload.threadId);
      if (!thread) return;
      const now = deps.clock.now();
      const settled = settledAt(thread, now);
      if (settled.state === thread.state) return;
      await uow.trx.updateTable('threads').set(settled).where('id', '=', thread.id).execute();
      await recordThreadUpdate(uow, thread.id, now);
      await recordNotice(uow, 'thread.lifecycle', { siteId: thread.site_id, threadId: thread.id, type: settled.state === 'closed' ? 'thread.closed' : 'thread.reopened' });
      await writeLog(uow.trx, {
        siteId: thread.site_id,
        action: settled.state === 'closed' ? 'thread.close' : 'thread.reopen',
        targetType: 'thread',
        targetId: thread.id,
        threadId: thread.id,
        details: { scheduled: true },
      });
    });
  });
}
