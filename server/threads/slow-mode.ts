import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Thread } from '../../db/schema';
import type { Clock } from '../clock';
import { type Db, inTransaction } from '../db';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import { recordThreadUpdate } from './thread.events';

/**
 * Slow mode (SPEC §11, §13): in a thread where it is on, each reader may post only once every N
 * seconds. Staff set N on the thread; otherwise it switches on by itself while the thread posts
 * faster than the site's threshold, and off once no minute has reached it for the site's quiet
 * period. Every comparison uses the app's clock. Staff and API keys are never held by it.
 */

/** The longest interval staff may set, and so how long a reader's last post time is kept. */
export const SLOW_MODE_MAX_SECONDS = 3600;
const WINDOW_MS = 60_000;

/** The site's automatic slow mode, as one post sees it; null when it never switches on. */
export interface AutoSlowMode {
  /** Posts in one minute that switch it on. */
  threshold: number;
  /** The interval it imposes. */
  seconds: number;
  /** How long after the last fast minute it stays on. */
  quietMs: number;
}

/** Slow mode as readers see it: the interval, and whether it came on by itself. */
export function slowModeOf(thread: Pick<Thread, 'slow_mode_seconds' | 'slow_auto_seconds'>): { seconds: number; automatic: boolean } | null {
  if (thread.slow_mode_seconds) return { seconds: thread.slow_mode_seconds, automatic: false };
  if (thread.slow_auto_seconds) return { seconds: thread.slow_auto_seconds, automatic: true };
  return null;
}

/** The interval a post is held to now (0: none); automatic slow mode counts only while it is due to last. */
export function slowModeSeconds(thread: Pick<Thread, 'slow_mode_seconds' | 'slow_auto_seconds' | 'slow_auto_until'>, now: Date, auto: boolean): number {
  if (thread.slow_mode_seconds) return thread.slow_mode_seconds;
  if (auto && thread.slow_auto_seconds && thread.slow_auto_until && thread.slow_auto_until > now) return thread.slow_auto_seconds;
  return 0;
}

/** Seconds the reader still has to wait after their last post in slow mode (0: they may post). */
export function slowModeWait(seconds: number, lastAt: Date | null, now: Date): number {
  if (!seconds || !lastAt) return 0;
  const left = lastAt.getTime() + seconds * 1000 - now.getTime();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export function slowModeError(wait: number, seconds: number): AppError {
  return new AppError(
    'rate_limited',
    'slow_mode',
    `This discussion is in slow mode: each reader may post once every ${seconds} seconds. You can post again in ${wait} second${wait === 1 ? '' : 's'}.`,
    [],
    Math.max(1, wait),
  );
}

/** The thread's posting speed as its row keeps it: a one-minute window and its posts. */
export type SpeedState = Pick<Thread, 'speed_window_at' | 'speed_window_posts' | 'slow_auto_seconds'>;

/**
 * The window after `added` posts at `now`, and whether they make the thread fast: then automatic
 * slow mode lasts until `until`, and `switchOn` says it was off.
 */
export function speedAfter(state: SpeedState, now: Date, added: number, auto: AutoSlowMode | null) {
  let at = state.speed_window_at;
  let posts = state.speed_window_posts;
  if (!at || now.getTime() - at.getTime() >= WINDOW_MS || now < at) {
    at = now;
    posts = 0;
  }
  posts += added;
  const fast = !!auto && auto.threshold > 0 && posts >= auto.threshold;
  return {
    at,
    posts,
    until: fast ? new Date(now.getTime() + auto!.quietMs) : null,
    switchOn: fast && state.slow_auto_seconds === null ? auto!.seconds : null,
  };
}

interface SlowModeDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
}

/** After a post that made the thread fast: automatic slow mode comes on, and readers see it live. */
export async function switchOnAutoSlowMode(deps: SlowModeDeps, threadId: string, seconds: number): Promise<void> {
  const now = deps.clock.now();
  await inTransaction(deps, async (uow) => {
    // Conditional, so of two instances that saw the same fast minute only one announces it.
    const switched = await uow.trx
      .updateTable('threads')
      .set({ slow_auto_seconds: seconds })
      .where('id', '=', threadId)
      .where('slow_auto_seconds', 'is', null)
      .where('slow_auto_until', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (switched) await recordThreadUpdate(uow, threadId);
  });
}

/**
 * Switches automatic slow mode off where the thread has calmed down (live for readers), and forgets
 * readers' post times older than the longest interval. Any instance may run it; each change is
 * conditional, so running it twice changes nothing twice.
 */
export async function endCalmSlowModes(deps: SlowModeDeps): Promise<number> {
  const now = deps.clock.now();
  const calm = await deps.db
    .selectFrom('threads')
    .select('id')
    .where('slow_auto_seconds', 'is not', null)
    .where('slow_auto_until', '<=', now)
    .limit(500)
    .execute();
  let ended = 0;
  for (const { id } of calm) {
    await inTransaction(deps, async (uow) => {
      const switched = await uow.trx
        .updateTable('threads')
        .set({ slow_auto_seconds: null, slow_auto_until: null })
        .where('id', '=', id)
        .where('slow_auto_seconds', 'is not', null)
        .where('slow_auto_until', '<=', now)
        .returning('id')
        .executeTakeFirst();
      if (!switched) return;
      await recordThreadUpdate(uow, id);
      ended++;
    });
  }
  await sql`delete from slow_mode_posts where posted_at < ${new Date(now.getTime() - SLOW_MODE_MAX_SECONDS * 1000)}`.execute(deps.db);
  return ended;
}

export interface SlowModeJob {
  stop(): Promise<void>;
}

/** Every instance sweeps now and then: readers see automatic slow mode end within `intervalMs`. */
export function startSlowModeJob(deps: SlowModeDeps & { log: Logger }, intervalMs = 15_000): SlowModeJob {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= endCalmSlowModes(deps)
      .catch((err: unknown) => deps.log.warn({ err }, 'slow mode sweep failed; it runs again shortly'))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
