import type { Thread } from '../../db/schema';
import { AppError } from '../errors';

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
