import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { fitRegressions, learnGenuine } from './abuse.service';

export interface LearningJob {
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Every minute, each instance teaches its sites' models the comments published a day ago that
 * nobody took down (inserting the sample first, so two instances never learn one comment twice),
 * then fits the regressions of the mature sites whose models moved (fitRegressions: one instance
 * per site). Returns how many comments were learnt.
 */
export function startLearningJob(deps: { db: Db; clock: Clock; log: Logger }, intervalMs = 60_000): LearningJob {
  let running: Promise<number> | undefined;
  const runNow = () => {
    running ??= learnGenuine(deps)
      .then(async (learnt) => {
        await fitRegressions(deps);
        return learnt;
      })
      .catch((err) => {
        deps.log.error({ err }, 'learning from published comments, or fitting a regression, failed; it will be tried again');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = intervalMs > 0 ? setInterval(() => void runNow(), intervalMs) : undefined;
  timer?.unref();
  return {
    runNow,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
