import { z } from 'zod';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import type { Clock } from '../clock';
import { authorize, type StaffActor } from '../members/permissions';
import { writeLog } from '../audit/audit.repo';
import { ModerationMode } from '../sites/site.schema';
import * as repo from './thread.repo';
import { HttpUrlSchema } from './thread.schema';
import { recordThreadUpdate } from './thread.events';
import { recordNotice } from '../sites/notice.events';
import { SLOW_MODE_MAX_SECONDS } from './slow-mode.rules';
import { type Scheduled, settledAt, stateAt } from './schedule.rules';
import { scheduleThread } from './thread.schedule';

/** A close or reopen time: ISO 8601 with its offset, between 2000 and 2100; null: none. */
export const ScheduleTime = z.iso
  .datetime({ offset: true, error: 'must be a date and time such as 2030-05-01T18:00:00Z' })
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= 2000 && year < 2100;
  }, 'must be between the years 2000 and 2100')
  .nullable();

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
    /** Commenting closes by itself at this time; null: no close time. */
    closesAt: ScheduleTime.optional(),
    /** Commenting reopens by itself at this time; null: no reopen time. */
    reopensAt: ScheduleTime.optional(),
    /** false: every reader's comment with a link is held for a moderator. */
    linksAllowed: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of state, mode, title, url, slowModeSeconds, format, closesAt, reopensAt, linksAllowed');
export type UpdateThreadInput = z.infer<typeof UpdateThreadSchema>;

export interface ThreadAdminDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
}

/** How the audit log names a change made through something else than PATCH (a preset). */
export interface LogAs {
  action: string;
  details: Record<string, unknown>;
}

/**
 * Closes or reopens a thread, sets its own moderation mode, slow mode, schedule or links. Readers see
 * it live: a `thread:updated` event with the next seq.
 */
export async function updateThread(deps: ThreadAdminDeps, actor: StaffActor, threadId: string, input: UpdateThreadInput) {
  const thread = await repo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  authorize(actor, thread.site_id, 'moderate', 'The thread');
  return inTransaction(deps, (uow) => changeThread(deps, uow, actor, threadId, input));
}

/** The change itself, inside the caller's unit of work (PATCH, or a preset applied). */
export async function changeThread(deps: ThreadAdminDeps, uow: UnitOfWork, actor: StaffActor, threadId: string, input: UpdateThreadInput, logAs?: LogAs) {
  const { trx } = uow;
  const now = deps.clock.now();
  const current = await repo.lockThread(trx, threadId);
  if (!current) throw errors.notFound('The thread');
  const time = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
  const wanted: Record<string, unknown> = {
    state: input.state,
    mode: input.mode,
    title: input.title,
    url: input.url,
    slow_mode_seconds: input.slowModeSeconds === undefined ? undefined : input.slowModeSeconds || null,
    closes_at: time(input.closesAt),
    reopens_at: time(input.reopensAt),
    links_allowed: input.linksAllowed,
    format: input.format,
  };
  // Opening or closing by hand is the latest word: the times already past are spent.
  if (input.state) {
    if (input.closesAt === undefined && current.closes_at && current.closes_at <= now) wanted.closes_at = null;
    if (input.reopensAt === undefined && current.reopens_at && current.reopens_at <= now) wanted.reopens_at = null;
  }
  const same = (a: unknown, b: unknown) => (a instanceof Date || b instanceof Date ? (a ? new Date(a as Date).getTime() : null) === (b ? new Date(b as Date).getTime() : null) : a === b);
  // A time given that has already passed takes effect now, as its job would: the stored state follows.
  const given = Object.fromEntries(Object.entries(wanted).filter(([, value]) => value !== undefined));
  Object.assign(wanted, settledAt({ ...current, ...given } as Scheduled, now));
  const changes = Object.fromEntries(
    Object.entries(wanted).filter(([key, value]) => value !== undefined && !same(value, current[key as keyof typeof current])),
  );
  if (Object.keys(changes).length === 0) {
    if (logAs) await writeLog(trx, { siteId: current.site_id, actor, action: logAs.action, targetType: 'thread', targetId: threadId, threadId, details: { ...logAs.details, changes: {} } });
    return current;
  }
  await trx.updateTable('threads').set(changes).where('id', '=', threadId).execute();
  await recordThreadUpdate(uow, threadId, now);
  const updated = (await repo.findThread(trx, threadId))!;
  const [before, after] = [stateAt(current, now), stateAt(updated, now)];
  // Webhooks follow the stored state, which a schedule's job moves too: each change is told once.
  if (changes.state) {
    await recordNotice(uow, 'thread.lifecycle', { siteId: updated.site_id, threadId, type: changes.state === 'closed' ? 'thread.closed' : 'thread.reopened' });
  }
  if ('closes_at' in changes || 'reopens_at' in changes) await scheduleThread(uow, updated, now);
  const shown = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  await writeLog(trx, {
    siteId: updated.site_id,
    actor,
    action: logAs?.action ?? (before === after ? 'thread.update' : after === 'closed' ? 'thread.close' : 'thread.reopen'),
    targetType: 'thread',
    targetId: threadId,
    threadId,
    details: {
      ...logAs?.details,
      changes: Object.fromEntries(Object.keys(changes).map((k) => [k, { from: shown(current[k as keyof typeof current]), to: shown(changes[k]) }])),
    },
  });
  return updated;
}
