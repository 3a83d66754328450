import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';
import { useReceiver } from './receiver';

const parley = useParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
const receiver = useReceiver();
const drain = () => parley.app.deps.outbox.drain();
const resolve = (siteId: string, key: string) =>
  parley.http().post('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).send({ site: siteId, key, url: `${SITE_ORIGIN}/a/${key}` });

describe('the delivery log, send again, and switching off', () => {
  it('logs each attempt with status and latency, filters it, and sends an event again under its own webhook-id', async () => {
    const site = await buildSite(parley.database.db);
    const key = await apiKey(parley, site.id);
    const created = await key.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['thread.created'] });
    expect(created.status).toBe(201);
    const path = `/sites/${site.id}/webhooks/${created.body.webhook.id}`;
    receiver.setAnswer(() => 500);
    await resolve(site.id, 'logged');
    await drain();
    const failing = (await key.call('get', path)).body.webhook.failingSince;
    expect(Date.parse(failing)).toBeLessThanOrEqual(parley.app.deps.clock.now().getTime());
    receiver.setAnswer(() => 204);
    parley.app.deps.clock.advance(60_000);
    await drain();
    // The success ends the failing spell (the 3-day clock to switching off starts again at the next failure).
    expect((await key.call('get', path)).body.webhook.failingSince).toBeNull();
    const log = await key.call('get', `${path}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items.map((d: { ok: boolean; statusCode: number; attempt: number }) => [d.ok, d.statusCode, d.attempt])).toEqual([
      [true, 204, 2],
      [false, 500, 1],
    ]);
    expect(log.body.items[0].latencyMs).toEqual(expect.any(Number));
    expect(JSON.stringify(log.body)).not.toContain('bodyHtml');
    const failed = await key.call('get', `${path}/deliveries?status=failed`);
    expect(failed.body.items).toHaveLength(1);
    expect((await key.call('get', `${path}/deliveries?status=maybe`)).status).toBe(400);

    const again = await key.call('post', `${path}/deliveries/${log.body.items[0].id}/retry`);
    expect(again.status).toBe(202);
    await drain();
    const ids = receiver.received.filter((r) => r.status === 204).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('switches off an endpoint failing for 3 days, tells the admins, keeps its queue and delivers it when switched on', async () => {
    const site = await buildSite(parley.database.db);
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const created = await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['thread.created'] });
    const path = `/sites/${site.id}/webhooks/${created.body.webhook.id}`;
    receiver.setAnswer(() => 503);
    await resolve(site.id, 'first');
    await resolve(site.id, 'second');
    const clock = parley.app.deps.clock;
    for (let hours = 0; hours < 74; hours++) {
      await drain();
      clock.advance(3_600_000);
    }
    await drain();
    const view = await admin.call('get', path);
    expect(view.body.webhook).toMatchObject({ enabled: false, switchedOffReason: 'failing for 3 days' });
    const log = await admin.call('get', `/moderation/log?site=${site.id}`);
    expect(JSON.stringify(log.body)).toContain('webhook.switched_off');
    // No mail is configured here: the dashboard is where the admins find it, and no mail is queued.
    const mails = await parley.database.db.selectFrom('outbox').select('id').where('kind', 'like', 'mail%').execute();
    expect(mails).toEqual([]);

    receiver.setAnswer(() => 204);
    expect((await admin.call('patch', path, { enabled: true })).status).toBe(200);
    await drain();
    // Each thread is its own lane: both go out, once each; their order between threads is not promised.
    const delivered = receiver.received.filter((r) => r.status === 204).map((r) => JSON.parse(r.body).data.thread.key);
    expect(delivered.sort()).toEqual(['first', 'second']);
  });

  it('skips the failing head of a thread’s queue by hand, so the events behind it go out, and logs the skip', async () => {
    const site = await buildSite(parley.database.db);
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const created = await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['comment.created'] });
    const path = `/sites/${site.id}/webhooks/${created.body.webhook.id}`;
    const thread = (await resolve(site.id, 'stuck')).body.thread.id as string;
    const other = (await resolve(site.id, 'flowing')).body.thread.id as string;
    const post = async (threadId: string, body: string) => (await parley.http().post(`/api/v1/threads/${threadId}/comments`).send({ body })).body.comment.id as string;
    receiver.setAnswer((body) => (body.includes('chokes') ? 500 : 204));
    await post(thread, 'The receiver chokes on this one.');
    const behind = [await post(thread, 'Second.'), await post(thread, 'Third.')];
    const elsewhere = await post(other, 'Another thread.');
    const clock = parley.app.deps.clock;
    // Three failed tries, the last one leaving the head waiting for its next: a head left due would be
    // claimed by the instance's own poll, and a skip while it is being sent is refused (409 sending).
    for (let i = 0; i < 3; i++) {
      if (i) clock.advance(3_600_000);
      await drain();
    }
    const delivered = () => receiver.received.filter((r) => r.status === 204).map((r) => JSON.parse(r.body).data.comment.id as string);
    expect(delivered()).toEqual([elsewhere]);

    const failed = (await admin.call('get', `${path}/deliveries?status=failed`)).body.items as Array<{ id: string; eventId: string; error: string }>;
    expect(failed.length).toBeGreaterThanOrEqual(3);
    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await moderator.call('post', `${path}/deliveries/${failed[0]!.id}/skip`)).status).toBe(403);
    const skipped = await admin.call('post', `${path}/deliveries/${failed[0]!.id}/skip`);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toEqual({ eventId: failed[0]!.eventId, skipped: true });
    await drain();
    expect(delivered()).toEqual([elsewhere, ...behind]);

    const log = (await admin.call('get', `${path}/deliveries?eventId=${failed[0]!.eventId}`)).body.items;
    expect(log[0]).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining('Skipped') });
    expect(JSON.stringify((await admin.call('get', `/moderation/log?site=${site.id}`)).body)).toContain('webhook.skip');
    // Skipped already, or delivered: nothing left to skip.
    const again = await admin.call('post', `${path}/deliveries/${failed[0]!.id}/skip`);
    expect([again.status, again.body.error?.code ?? again.body.code]).toEqual([409, 'not_queued']);
    const ok = (await admin.call('get', `${path}/deliveries?status=ok`)).body.items[0];
    expect((await admin.call('post', `${path}/deliveries/${ok.id}/skip`)).status).toBe(409);
  });

  it('is for the site’s admins and keys only', async () => {
    const site = await buildSite(parley.database.db);
    const other = await buildSite(parley.database.db);
    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await moderator.call('get', `/sites/${site.id}/webhooks`)).status).toBe(403);
    const stranger = await apiKey(parley, other.id);
    expect((await stranger.call('get', `/sites/${site.id}/webhooks`)).status).toBe(404);
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    expect((await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['nope'] })).status).toBe(400);
  });
});
