import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { SiteIdSchema } from '../sites/site.schema';
import { UpdateThreadSchema, updateThread } from './thread.admin.service';
import { listThreads, ThreadListQuery } from './thread.list';
import { ThreadIdParam } from './thread.schema';
import { threadView } from './thread.view';
import { ApplyPresetSchema, CreatePresetSchema, PresetIdParam, UpdatePresetSchema } from './preset.schema';
import { applyPreset, createPreset, deletePreset, listPresets, updatePreset } from './preset.service';

/**
 * `PATCH /threads/:threadId`: close, reopen, or set a thread's moderation mode, slow mode, schedule
 * and links (moderators, keys); `GET /moderation/threads?site=`: the site's threads with their polls,
 * for the dashboard; `/sites/:siteId/presets` and `POST /threads/:threadId/preset`: presets.
 */
export function threadAdminRoutes(router: Router, deps: Deps): void {
  const site = (p: unknown) => parse(SiteIdSchema, p, 'path');
  const preset = (p: unknown) => parse(PresetIdParam, p, 'path');

  router.get('/moderation/threads', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json(await listThreads(deps, actor, parse(ThreadListQuery, req.query, 'query')));
  });

  router.patch('/threads/:threadId', async (req, res) => {
    const actor = await staffActor(deps, req);
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(UpdateThreadSchema, req.body);
    res.json({ thread: threadView(await updateThread(deps, actor, threadId, input), { now: deps.clock.now() }) });
  });

  router.get('/sites/:siteId/presets', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ items: await listPresets(deps, actor, site(req.params.siteId)) });
  });
  router.post('/sites/:siteId/presets', async (req, res) => {
    const actor = await staffActor(deps, req);
    const siteId = site(req.params.siteId);
    res.status(201).json({ preset: await createPreset(deps, actor, siteId, parse(CreatePresetSchema, req.body)) });
  });
  router.patch('/sites/:siteId/presets/:presetId', async (req, res) => {
    const actor = await staffActor(deps, req);
    const [siteId, id] = [site(req.params.siteId), preset(req.params.presetId)];
    res.json({ preset: await updatePreset(deps, actor, siteId, id, parse(UpdatePresetSchema, req.body)) });
  });
  router.delete('/sites/:siteId/presets/:presetId', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ preset: await deletePreset(deps, actor, site(req.params.siteId), preset(req.params.presetId)) });
  });
  router.post('/threads/:threadId/preset', async (req, res) => {
    const actor = await staffActor(deps, req);
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const { presetId } = parse(ApplyPresetSchema, req.body);
    res.json({ thread: threadView(await applyPreset(deps, actor, threadId, presetId), { now: deps.clock.now() }) });
  });
}
