import { z } from 'zod';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { authorize, type StaffActor } from '../members/permissions';
import { writeLog } from '../audit/audit.repo';
import { ModerationMode } from '../sites/site.schema';
import * as repo from './thread.repo';
import { HttpUrlSchema } from './thread.schema';
import { recordThreadUpdate } from './thread.events';
import { recordNotice } from '../sites/notice.events';
import { SLOW_MODE_MAX_SECONDS } from './slow-mode.rules';

export const UpdateThreadSchema = z
  .strictObject({
    state: z.enum(['open', 'closed']).optional(),
    /** null: follow the site's mode again. */
    mode: ModerationMode.nullable().optional(),
    title: z.string().trim().max(300).optional(),
    url: HttpUrlSchema.optional(),
    /** Slow mode: each reader posts at most once every this many seconds; 0 or null: off. */
    slowModeSeconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS).nullable().optional(),
    /** `qa`: readers' top-level comments are questions; a staff reply to one is its answer. */
    format: z.enum(['comments', 'qa']).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of state, mode, title, url, slowModeSeconds, format');
export type UpdateThreadInput = z.infer<typeof UpdateThreadSchema>;

/**
 * Closes or reopens a thread, sets its own moderation mode or its slow mode. Readers see it live: a
 * `thread:updated` event with the next seq.
 */
export async function updateThread(deps: { db: Db; bus: EventBus }, actor: StaffActor, threadId: string, input: UpdateThreadInput) {
  const thread = await repo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  authorize(actor, thread.site_id, 'moderate', 'The thread');
  return inTransaction(deps, async (uow) => {
    const { trx } = uow;
    const current = await repo.lockThread(trx, threadId);
    if (!current) throw errors.notFound('The thread');
    const changes = Object.fromEntries(
      Object.entries({
        state: input.state,
        mode: input.mode,
        title: input.title,
        url: input.url,
        slow_mode_seconds: input.slowModeSeconds === undefined ? undefined : input.slowModeSeconds || null,
        format: input.format,
      }).filter(
        ([key, value]) => value !== undefined && value !== current[key as keyof typeof current],
      ),
    );
    if (Object.keys(changes).length === 0) return current;
    await trx.updateTable('threads').set(changes).where('id', '=', threadId).execute();
    await recordThreadUpdate(uow, threadId);
    const updated = (await repo.findThread(trx, threadId))!;
    if (changes.state) {
      await recordNotice(uow, 'thread.lifecycle', { siteId: updated.site_id, threadId, type: changes.state === 'closed' ? 'thread.closed' : 'thread.reopened' });
    }
    await writeLog(trx, {
      siteId: updated.site_id,
      actor,
      action: changes.state === 'closed' ? 'thread.close' : changes.state === 'open' ? 'thread.reopen' : 'thread.update',
      targetType: 'thread',
      targetId: threadId,
      threadId,
      details: { changes: Object.fromEntries(Object.keys(changes).map((k) => [k, { from: current[k as keyof typeof current], to: changes[k] }])) },
    });
    return updated;
  });
}
