import type { Thread } from '../../db/schema';

/**
 * Closing and reopening on a schedule (SPEC §12, §13): a thread is closed or open as the latest of
 * what has happened by `now` says: staff's own state, then its close time (`closes_at`), then its
 * reopen time (`reopens_at`, which wins over a close at the same moment). Staff changing the state by
 * hand consume the times already past (see updateThread), so their click is the latest. Every
 * comparison is against the app's clock, when a post arrives: a post at `closes_at` itself is
 * refused without waiting for a job; the job (thread.schedule.ts) only records the change for live
 * readers and webhooks.
 */
export type ThreadState = 'open' | 'closed';

export type Scheduled = Pick<Thread, 'state' | 'closes_at' | 'reopens_at'>;

/** The state readers and posts meet at `now`. */
export function stateAt(thread: Scheduled, now: Date): ThreadState {
  const at = now.getTime();
  const closes = thread.closes_at ? new Date(thread.closes_at).getTime() : null;
  const reopens = thread.reopens_at ? new Date(thread.reopens_at).getTime() : null;
  let state: ThreadState = thread.state;
  let since = -Infinity;
  if (closes !== null && closes <= at) {
    state = 'closed';
    since = closes;
  }
  if (reopens !== null && reopens <= at && reopens >= since) state = 'open';
  return state;
}

/** The times still to come, when a job should look at the thread again. */
export function upcoming(thread: Pick<Thread, 'closes_at' | 'reopens_at'>, now: Date): Date[] {
  return [thread.closes_at, thread.reopens_at].filter((d): d is Date => !!d && new Date(d) > now).map((d) => new Date(d));
}

/** The thread with its schedule applied at `now`, as the stored state and no times already past. */
export function settledAt(thread: Scheduled, now: Date): { state: ThreadState; closes_at: Date | null; reopens_at: Date | null } {
  const past = (d: Date | null) => !!d && new Date(d) <= now;
  return {
    state: stateAt(thread, now),
    closes_at: past(thread.closes_at) ? null : thread.closes_at,
    reopens_at: past(thread.reopens_at) ? null : thread.reopens_at,
  };
}
