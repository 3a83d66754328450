import type { ThreadPreset } from '../../db/schema';
import type { Clock } from '../clock';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import { writeLog } from '../audit/audit.repo';
import { authorize, type StaffActor } from '../members/permissions';
import { getSite } from '../sites/site.service';
import { changeThread, type UpdateThreadInput } from './thread.admin.service';
import type { CreatePresetInput, PresetSettings, UpdatePresetInput } from './preset.schema';
import * as repo from './thread.repo';
import * as presets from './preset.repo';

/**
 * Presets (SPEC §12): named per-site sets of thread settings. Admins (and the site's API keys)
 * create, change and delete them; moderators list them and apply one to a thread in one action,
 * which the audit log records as `thread.preset` with every change it made.
 */
export interface PresetDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
}

export const MAX_PRESETS = 50;

export interface PresetView {
  id: string;
  siteId: string;
  name: string;
  settings: PresetSettings;
  createdAt: string;
  updatedAt: string;
}

export function presetView(p: ThreadPreset): PresetView {
  return {
    id: p.id,
    siteId: p.site_id,
    name: p.name,
    settings: p.settings as PresetSettings,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}

/** Admins manage presets; a site's API key, like a moderator's tools, may too. */
function authorizeManage(actor: StaffActor, siteId: string): void {
  authorize(actor, siteId, actor.kind === 'key' ? 'moderate' : 'administer');
}

const nameTaken = () => errors.validation('The preset is not valid.', [{ path: 'name', message: 'is already the name of another preset of this site' }]);

/** Two admins saving the same name at once: the unique index decides, and the loser hears why. */
const orNameTaken = (err: unknown): never => {
  if ((err as { code?: string }).code === '23505') throw nameTaken();
  throw err;
};

export async function listPresets(deps: { db: Db }, actor: StaffActor, siteId: string): Promise<PresetView[]> {
  authorize(actor, siteId, 'moderate');
  await getSite(deps.db, siteId);
  return (await presets.listPresets(deps.db, siteId)).map(presetView);
}

async function findPreset(db: Db, siteId: string, id: string): Promise<ThreadPreset> {
  const row = await presets.findPreset(db, siteId, id);
  if (!row) throw errors.notFound('The preset');
  return row;
}

export async function createPreset(deps: PresetDeps, actor: StaffActor, siteId: string, input: CreatePresetInput): Promise<PresetView> {
  authorizeManage(actor, siteId);
  await getSite(deps.db, siteId);
  if (await presets.nameTaken(deps.db, siteId, input.name)) throw nameTaken();
  if ((await presets.countPresets(deps.db, siteId)) >= MAX_PRESETS) throw errors.conflict('too_many_presets', `A site may keep at most ${MAX_PRESETS} presets; delete one first.`);
  const now = deps.clock.now();
  const row = await inTransaction(deps, async ({ trx }) => {
    const created = await presets.insertPreset(trx, { id: newId(), siteId, name: input.name, settings: input.settings, now });
    await writeLog(trx, { siteId, actor, action: 'preset.create', targetType: 'site', targetId: siteId, details: { presetId: created.id, name: created.name, settings: input.settings } });
    return created;
  }).catch(orNameTaken);
  return presetView(row);
}

export async function updatePreset(deps: PresetDeps, actor: StaffActor, siteId: string, id: string, input: UpdatePresetInput): Promise<PresetView> {
  authorizeManage(actor, siteId);
  await getSite(deps.db, siteId);
  const current = await findPreset(deps.db, siteId, id);
  if (input.name !== undefined && (await presets.nameTaken(deps.db, siteId, input.name, id))) throw nameTaken();
  const row = await inTransaction(deps, async ({ trx }) => {
    const updated = await presets.updatePreset(trx, id, { name: input.name, settings: input.settings, now: deps.clock.now() });
    await writeLog(trx, {
      siteId,
      actor,
      action: 'preset.update',
      targetType: 'site',
      targetId: siteId,
      details: { presetId: id, from: { name: current.name, settings: current.settings }, to: { name: updated.name, settings: updated.settings } },
    });
    return updated;
  }).catch(orNameTaken);
  return presetView(row);
}

export async function deletePreset(deps: PresetDeps, actor: StaffActor, siteId: string, id: string): Promise<PresetView> {
  authorizeManage(actor, siteId);
  await getSite(deps.db, siteId);
  const current = await findPreset(deps.db, siteId, id);
  await inTransaction(deps, async ({ trx }) => {
    await presets.deletePreset(trx, id);
    await writeLog(trx, { siteId, actor, action: 'preset.delete', targetType: 'site', targetId: siteId, details: { presetId: id, name: current.name } });
  });
  return presetView(current);
}

/** What a preset sets on a thread, applied at `now`: its closing hours become a close time. */
export function presetChanges(settings: PresetSettings, now: Date): UpdateThreadInput {
  const { closeAfterHours, ...rest } = settings;
  const input: UpdateThreadInput & { format?: string } = { ...rest };
  if (closeAfterHours !== undefined) input.closesAt = closeAfterHours === null ? null : new Date(now.getTime() + closeAfterHours * 3_600_000).toISOString();
  return input;
}

/** Applies one of the site's presets to a thread, as one change (one live update, one audit entry). */
export async function applyPreset(deps: PresetDeps, actor: StaffActor, threadId: string, presetId: string) {
  const thread = await repo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  authorize(actor, thread.site_id, 'moderate', 'The thread');
  const preset = await presets.findPreset(deps.db, thread.site_id, presetId);
  if (!preset) throw errors.validation('The preset is not valid.', [{ path: 'presetId', message: 'is not a preset of this thread’s site' }]);
  const input = presetChanges(preset.settings as PresetSettings, deps.clock.now());
  return inTransaction(deps, (uow) =>
    changeThread(deps, uow, actor, threadId, input, { action: 'thread.preset', details: { presetId: preset.id, preset: preset.name } }),
  );
}
