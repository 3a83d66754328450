/**
 * A poll's closing time as a recorded change. Reads already treat a poll past its `closes_at` as
 * closed; this makes the closing an event too (`poll.closed`, for webhooks), recorded at that time
 * by whichever instance's outbox worker claims the row written when the time was set. A row whose
 * poll was closed by hand, reopened or given another time meanwhile finds nothing to do: the row of
 * the new time (if any) does it.
 */
import type { Clock } from '../clock';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import type { EventBus } from '../events';
import type { Outbox, OutboxMessage } from '../outbox/outbox';
import { recordNotice } from '../sites/notice.events';
import { recordThreadUpdate } from '../threads/thread.events';
import * as repo from './poll.repo';

declare module '../events' {
  interface DomainEvents {
    /** A poll was given a closing time still to come (created with it, or changed or reopened to it). */
    'poll.scheduled': { siteId: string; pollId: string; closesAt: string };
  }
}

/** The outbox row that closes a poll at `closesAt` (also written by an archive restore). */
export function pollCloseMessage(siteId: string, pollId: string, closesAt: Date): OutboxMessage {
  return { kind: 'poll.close', siteId, notBefore: closesAt, payload: { pollId } };
}

/** The poll's closing time when it is still to come (an open poll with a time after `now`), else null. */
export function closingToCome(poll: { closes_at: Date | null; closed_at: Date | null }, now: Date): Date | null {
  return poll.closes_at && !poll.closed_at && poll.closes_at > now ? poll.closes_at : null;
}

/** Records that the poll will close at `closesAt` (when that is still to come). */
export async function scheduleClosing(uow: UnitOfWork, poll: { id: string; site_id: string; closes_at: Date | null; closed_at: Date | null }, now: Date): Promise<void> {
  const closesAt = closingToCome(poll, now);
  if (closesAt) await uow.record('poll.scheduled', { siteId: poll.site_id, pollId: poll.id, closesAt: closesAt.toISOString() });
}

export function registerPollSchedule(deps: { db: Db; bus: EventBus; clock: Clock; outbox: Outbox }): void {
  deps.outbox.within('poll.scheduled', (e) => [pollCloseMessage(e.siteId, e.pollId, new Date(e.closesAt))]);

  deps.outbox.handle<{ pollId: string }>('poll.close', async (job) => {
    await inTransaction(deps, async (uow) => {
      const poll = await repo.lockPoll(uow.trx, job.payload.pollId, 'update');
      if (!poll || poll.closed_at || !poll.closes_at || poll.closes_at > deps.clock.now()) return;
      // Closed at its time, not at the moment the worker got to it.
      const closed = await repo.updatePoll(uow.trx, poll.id, { closed_at: poll.closes_at });
      await recordThreadUpdate(uow, closed.thread_id);
      await recordNotice(uow, 'poll.closed', { siteId: closed.site_id, threadId: closed.thread_id, pollId: closed.id });
    });
  });
}
