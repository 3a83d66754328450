import type { Logger } from 'pino';
import type { Db } from '../db';
import type { NetworkHasher } from './network';
import { runRetention, summarise } from './retention.service';

export interface RetentionJob {
  /** Runs once now (also what the timer calls); a run already in progress is awaited, not doubled. */
  runNow(): Promise<void>;
  /** Clears the timer and waits for a run in progress, so the database can close after it. */
  stop(): Promise<void>;
}

/**
 * The scheduled retention run. Every instance runs it: each purge is idempotent and skips rows
 * another instance holds, so several instances only share the work. The first run waits a little
 * after start (at most five minutes) so a restart loop never hammers the database.
 */
export function startRetentionJob(deps: { db: Db; network: NetworkHasher; log: Logger }, intervalMs: number): RetentionJob {
  let running: Promise<void> | undefined;
  let stopped = false;

  const runNow = () => {
    running ??= (async () => {
      try {
        const report = await runRetention(deps);
        deps.log.info({ retention: summarise(report) }, 'retention run finished');
      } catch (err) {
        deps.log.error({ err }, 'retention run failed; it will be tried again at the next interval');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  let interval: NodeJS.Timeout | undefined;
  const first =
    intervalMs > 0
      ? setTimeout(() => {
          if (stopped) return;
          void runNow();
          interval = setInterval(() => void runNow(), intervalMs);
          interval.unref();
        }, Math.min(intervalMs, 5 * 60_000))
      : undefined;
  first?.unref();

  return {
    runNow,
    async stop() {
      stopped = true;
      if (first) clearTimeout(first);
      if (interval) clearInterval(interval);
      await running;
    },
  };
}
