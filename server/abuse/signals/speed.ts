import { round } from './classifier';
import type { Signal } from './types';

/** Posts from one network in ten minutes before it looks like a script, and posts in a thread per minute. */
export const NETWORK_BUSY = 8;
export const THREAD_BUSY = 30;

/** Posting speed: per network over ten minutes, per thread over the last minute. */
export function speedSignal(speed: { network10m: number; thread1m: number }): Signal {
  const parts: string[] = [];
  let weight = 0;
  if (speed.network10m >= NETWORK_BUSY) {
    weight = Math.max(weight, Math.min(0.9, 0.3 + 0.05 * (speed.network10m - NETWORK_BUSY)));
    parts.push(`${speed.network10m} posts from this network in 10 min`);
  }
  if (speed.thread1m >= THREAD_BUSY) {
    weight = Math.max(weight, 0.15);
    parts.push(`${speed.thread1m} posts in this thread in the last minute`);
  }
  return weight > 0 ? { code: 'speed', weight: round(weight), detail: parts.join('; ') } : null;
}
