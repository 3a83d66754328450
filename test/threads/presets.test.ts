import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';

const parley = useParley();
const db = () => parley.database.db;
const HOT = { mode: 'pre', slowModeSeconds: 120, linksAllowed: false, closeAfterHours: 24 };

async function setup() {
  const site = await buildSite(db());
  const thread = await buildThread(db(), site.id);
  const admin = await member(parley, [[site.id, 'admin']], 'admin');
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
  return { site, thread, admin, mod };
}

describe('presets of thread settings', () => {
  it('are created, listed, renamed, changed and deleted by the site’s admins, each change in the audit log', async () => {
    const { site, admin, mod } = await setup();
    const created = await admin.call('post', `/sites/${site.id}/presets`, { name: 'Hot topic', settings: HOT });
    expect(created.status).toBe(201);
    expect(created.body.preset).toMatchObject({ siteId: site.id, name: 'Hot topic', settings: HOT });
    const id = created.body.preset.id;
    await admin.call('post', `/sites/${site.id}/presets`, { name: 'Q&A', settings: { format: 'qa' } }).expect(201);

    // Moderators see them (to apply them), by name.
    const list = await mod.call('get', `/sites/${site.id}/presets`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['Hot topic', 'Q&A']);

    const renamed = await admin.call('patch', `/sites/${site.id}/presets/${id}`, { name: 'Very hot topic', settings: { slowModeSeconds: 300 } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.preset).toMatchObject({ name: 'Very hot topic', settings: { slowModeSeconds: 300 } });
    expect(renamed.body.preset.settings).not.toHaveProperty('mode');

    expect((await admin.call('delete', `/sites/${site.id}/presets/${id}`)).status).toBe(200);
    expect((await admin.call('delete', `/sites/${site.id}/presets/${id}`)).status).toBe(404);
    expect((await mod.call('get', `/sites/${site.id}/presets`)).body.items).toHaveLength(1);

    const log = await db().selectFrom('moderation_log').select(['action', 'details']).where('site_id', '=', site.id).where('action', 'like', 'preset.%').orderBy('id').execute();
    expect(log.map((l) => l.action)).toEqual(['preset.create', 'preset.create', 'preset.update', 'preset.delete']);
    expect(log[2]!.details).toMatchObject({ presetId: id, from: { name: 'Hot topic' }, to: { name: 'Very hot topic' } });
  });

  it('refuse bad values with 400 at their field, and store nothing', async () => {
    const { site, admin } = await setup();
    const bad: Array<[unknown, string]> = [
      [{ name: '', settings: HOT }, 'name'],
      [{ name: 'x'.repeat(81), settings: HOT }, 'name'],
      [{ name: 'Empty', settings: {} }, 'settings'],
      [{ name: 'Slow', settings: { slowModeSeconds: 99_999 } }, 'settings.slowModeSeconds'],
      [{ name: 'Mode', settings: { mode: 'strict' } }, 'settings.mode'],
      [{ name: 'Close', settings: { closeAfterHours: 0 } }, 'settings.closeAfterHours'],
      [{ name: 'Format', settings: { format: 'debate' } }, 'settings.format'],
      [{ name: 'Extra', settings: { state: 'closed' } }, 'settings'],
    ];
    for (const [body, field] of bad) {
      const res = await admin.call('post', `/sites/${site.id}/presets`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await db().selectFrom('thread_presets').select('id').where('site_id', '=', site.id).execute()).toHaveLength(0);

    const hot = (await admin.call('post', `/sites/${site.id}/presets`, { name: 'Hot topic', settings: HOT })).body.preset;
    const same = await admin.call('post', `/sites/${site.id}/presets`, { name: 'HOT TOPIC', settings: { format: 'qa' } });
    expect(same.status).toBe(400);
    expect(same.body.error.details).toEqual([{ path: 'name', message: 'is already the name of another preset of this site' }]);
    const badPatch = await admin.call('patch', `/sites/${site.id}/presets/${hot.id}`, { settings: { linksAllowed: 'sometimes' } });
    expect(badPatch.status).toBe(400);
    const kept = await db().selectFrom('thread_presets').selectAll().where('site_id', '=', site.id).execute();
    expect(kept.map((p) => [p.name, p.settings])).toEqual([['Hot topic', HOT]]);
  });

  it('are managed by admins and the site’s keys only; other sites’ staff are refused', async () => {
    const { site, admin, mod } = await setup();
    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    const other = await buildSite(db());
    const stranger = await member(parley, [[other.id, 'admin']], 'stranger');
    const body = { name: 'Calm', settings: { slowModeSeconds: 0 } };
    expect((await mod.call('post', `/sites/${site.id}/presets`, body)).status).toBe(403);
    // Another site's staff do not learn the site exists.
    expect((await stranger.call('post', `/sites/${site.id}/presets`, body)).status).toBe(404);
    expect((await journalist.call('get', `/sites/${site.id}/presets`)).status).toBe(403);
    expect((await stranger.call('get', `/sites/${site.id}/presets`)).status).toBe(404);
    expect((await parley.http().get(`/api/v1/sites/${site.id}/presets`)).status).toBe(401);
    expect(await db().selectFrom('thread_presets').select('id').where('site_id', '=', site.id).execute()).toHaveLength(0);
    const key = await apiKey(parley, site.id);
    const made = await key.call('post', `/sites/${site.id}/presets`, body);
    expect(made.status).toBe(201);
    expect((await mod.call('delete', `/sites/${site.id}/presets/${made.body.preset.id}`)).status).toBe(403);
    expect((await admin.call('delete', `/sites/${site.id}/presets/${made.body.preset.id}`)).status).toBe(200);
  });

  it('apply to a thread in one action: one live update, every setting, a close time relative to now, one audit entry', async () => {
    const { site, thread, admin, mod } = await setup();
    const hot = (await admin.call('post', `/sites/${site.id}/presets`, { name: 'Hot topic', settings: HOT })).body.preset;
    const now = parley.app.deps.clock.now().getTime();
    const applied = await mod.call('post', `/threads/${thread.id}/preset`, { presetId: hot.id });
    expect(applied.status).toBe(200);
    expect(applied.body.thread).toMatchObject({ mode: 'pre', slowModeSeconds: 120, linksAllowed: false, state: 'open' });
    const closesIn = new Date(applied.body.thread.closesAt).getTime() - now;
    expect(closesIn).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(closesIn).toBeLessThan(24 * 3_600_000 + 60_000);

    const events = await db().selectFrom('thread_events').select(['event', 'payload']).where('thread_id', '=', thread.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'thread:updated', payload: { thread: { mode: 'pre', slowModeSeconds: 120, linksAllowed: false } } });
    // Readers meet it at once: pre-moderation holds the next comment.
    expect((await postComment(parley, thread.id, { body: 'A first reaction.' })).body.comment.status).toBe('pending');

    const log = await db().selectFrom('moderation_log').select(['action', 'actor_id', 'details']).where('thread_id', '=', thread.id).orderBy('id').execute();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ action: 'thread.preset', details: { presetId: hot.id, preset: 'Hot topic', changes: { mode: { from: null, to: 'pre' }, links_allowed: { from: true, to: false } } } });
  });

  it('set the thread’s reader format, and take a close time away', async () => {
    const { site, thread, admin, mod } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { closesAt: new Date(parley.app.deps.clock.now().getTime() + 3_600_000).toISOString() }).expect(200);
    const qa = (await admin.call('post', `/sites/${site.id}/presets`, { name: 'Q&A', settings: { format: 'qa', closeAfterHours: null } })).body.preset;
    const applied = await mod.call('post', `/threads/${thread.id}/preset`, { presetId: qa.id });
    expect(applied.status).toBe(200);
    expect(applied.body.thread).toMatchObject({ format: 'qa', closesAt: null });
  });

  it('refuse a preset of another site, and a journalist applying one', async () => {
    const { site, thread, admin } = await setup();
    const other = await buildSite(db());
    const otherAdmin = await member(parley, [[other.id, 'admin']], 'other admin');
    const foreign = (await otherAdmin.call('post', `/sites/${other.id}/presets`, { name: 'Theirs', settings: { mode: 'pre' } })).body.preset;
    const res = await admin.call('post', `/threads/${thread.id}/preset`, { presetId: foreign.id });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'presetId', message: 'is not a preset of this thread’s site' }]);
    const mine = (await admin.call('post', `/sites/${site.id}/presets`, { name: 'Mine', settings: { mode: 'pre' } })).body.preset;
    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    expect((await journalist.call('post', `/threads/${thread.id}/preset`, { presetId: mine.id })).status).toBe(403);
    expect((await admin.call('post', `/threads/${thread.id}/preset`, {})).status).toBe(400);
    const row = await db().selectFrom('threads').select(['mode']).where('id', '=', thread.id).executeTakeFirstOrThrow();
    expect(row.mode).toBeNull();
  });
});
