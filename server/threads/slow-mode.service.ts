import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Clock } from '../clock';
import { type Db, inTransaction } from '../db';
import type { EventBus } from '../events';
import { SLOW_MODE_MAX_SECONDS } from './slow-mode.rules';
import { recordThreadUpdate } from './thread.events';

/** Slow mode switching on and off by itself (see slow-mode.rules.ts), with a live event each time. */

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
