import { buildSite, buildThread, postComment, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';
import { call } from '../helpers/reader';
import { useReceiver } from '../webhooks/receiver';

const parley = useParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
const receiver = useReceiver();
const db = () => parley.database.db;
const clock = () => parley.app.deps.clock;
const HOUR = 3_600_000;
const inHours = (h: number) => new Date(clock().now().getTime() + h * HOUR).toISOString();
const stored = (id: string) => db().selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const events = async (id: string) => (await db().selectFrom('thread_events').select(['seq', 'event', 'payload']).where('thread_id', '=', id).orderBy('seq').execute());

async function setup(settings: Record<string, unknown> = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
  return { site, thread, mod };
}

describe('a thread that closes on a schedule', () => {
  it('refuses a post at the close time itself, with the closed-thread error, before any job has run; the job then tells readers and webhooks', async () => {
    const { site, thread, mod } = await setup();
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    expect((await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['thread.closed', 'thread.reopened'] })).status).toBe(201);
    const closesAt = inHours(3);
    const set = await mod.call('patch', `/threads/${thread.id}`, { closesAt });
    expect(set.status).toBe(200);
    expect(set.body.thread).toMatchObject({ state: 'open', closesAt, reopensAt: null });
    expect((await postComment(parley, thread.id, { body: 'Before the close.' })).status).toBe(201);

    // Another thread given the same close time with no job at all (as if no worker ran): the post
    // meets the schedule as it stands at that moment.
    const unattended = await buildThread(db(), site.id, { key: 'unattended' });
    await db().updateTable('threads').set({ closes_at: closesAt }).where('id', '=', unattended.id).execute();

    clock().advance(new Date(closesAt).getTime() - clock().now().getTime());
    for (const id of [thread.id, unattended.id]) {
      const refused = await postComment(parley, id, { body: 'At the close time itself.' });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'thread_closed', message: 'Commenting on this article is closed.' });
      expect((await parley.http().get(`/api/v1/threads/${id}`)).body.thread.state).toBe('closed');
    }
    expect((await stored(unattended.id)).state).toBe('open');
    expect((await db().selectFrom('comments').select('id').where('thread_id', '=', thread.id).execute())).toHaveLength(1);

    await parley.app.deps.outbox.drain();
    expect(await stored(thread.id)).toMatchObject({ state: 'closed', closes_at: null });
    const last = (await events(thread.id)).at(-1)!;
    expect(last).toMatchObject({ event: 'thread:updated', payload: { thread: { state: 'closed', closesAt: null } } });
    const log = await db().selectFrom('moderation_log').select(['action', 'actor_type', 'details']).where('thread_id', '=', thread.id).orderBy('id').execute();
    expect(log.map((l) => [l.action, l.actor_type])).toEqual([
      ['thread.update', 'member'],
      ['thread.close', 'system'],
    ]);
    await parley.app.deps.outbox.drain();
    const sent = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { thread: { id: string; state: string } } });
    expect(sent.map((b) => [b.type, b.data.thread.id, b.data.thread.state])).toEqual([['thread.closed', thread.id, 'closed']]);
  });

  it('refuses an edit of a reader’s own comment once the close time has passed, as in a thread closed by hand', async () => {
    const { site, thread, mod } = await setup();
    await db().updateTable('sites').set({ settings: JSON.stringify({ editWindowMinutes: 600 }) }).where('id', '=', site.id).execute();
    const posted = await postComment(parley, thread.id, { body: 'My first take.' });
    const { commenterToken: token, comment } = posted.body;
    await mod.call('patch', `/threads/${thread.id}`, { closesAt: inHours(1) }).expect(200);
    expect((await call(parley, 'patch', `/comments/${comment.id}`, { body: 'My second take.' }, { token })).status).toBe(200);
    clock().advance(HOUR);
    const refused = await call(parley, 'patch', `/comments/${comment.id}`, { body: 'My third take.' }, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('thread_closed');
    expect((await db().selectFrom('comments').select('body_src').where('id', '=', comment.id).executeTakeFirstOrThrow()).body_src).toBe('My second take.');
  });

  it('closes at once when staff give a close time already past, telling webhooks once', async () => {
    const { site, thread, mod } = await setup();
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    expect((await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['thread.closed', 'thread.reopened'] })).status).toBe(201);
    const res = await mod.call('patch', `/threads/${thread.id}`, { closesAt: inHours(-1) });
    expect(res.status).toBe(200);
    expect(res.body.thread).toMatchObject({ state: 'closed', closesAt: null });
    expect(await stored(thread.id)).toMatchObject({ state: 'closed', closes_at: null });
    expect((await postComment(parley, thread.id, { body: 'Too late.' })).status).toBe(403);
    const actions = (await db().selectFrom('moderation_log').select('action').where('thread_id', '=', thread.id).execute()).map((r) => r.action);
    expect(actions).toEqual(['thread.close']);
    await parley.app.deps.outbox.drain();
    const sent = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { thread: { state: string } } });
    expect(sent.map((b) => [b.type, b.data.thread.state])).toEqual([['thread.closed', 'closed']]);
  });

  it('reopens by itself at the reopen time, after staff closed it by hand', async () => {
    const { thread, mod } = await setup();
    const reopensAt = inHours(10);
    const closed = await mod.call('patch', `/threads/${thread.id}`, { state: 'closed', reopensAt });
    expect(closed.body.thread).toMatchObject({ state: 'closed', reopensAt });
    expect((await postComment(parley, thread.id, { body: 'Overnight.' })).status).toBe(403);
    clock().advance(10 * HOUR);
    expect((await postComment(parley, thread.id, { body: 'In the morning.' })).status).toBe(201);
    await parley.app.deps.outbox.drain();
    expect(await stored(thread.id)).toMatchObject({ state: 'open', reopens_at: null });
  });

  it('lets staff reopen by hand a thread whose close time has passed, and close it again by hand', async () => {
    const { thread, mod } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { closesAt: inHours(1) }).expect(200);
    clock().advance(HOUR + 1000);
    expect((await postComment(parley, thread.id, { body: 'Too late.' })).status).toBe(403);
    await parley.app.deps.outbox.drain();
    const reopened = await mod.call('patch', `/threads/${thread.id}`, { state: 'open' });
    expect(reopened.body.thread).toMatchObject({ state: 'open', closesAt: null });
    expect((await postComment(parley, thread.id, { body: 'Open again.' })).status).toBe(201);
    const actions = (await db().selectFrom('moderation_log').select('action').where('thread_id', '=', thread.id).orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['thread.update', 'thread.close', 'thread.reopen']);
  });

  it('closes new threads of a site with a window that long after they were created', async () => {
    const site = await buildSite(db(), { settings: { closeAfterHours: 72 } });
    const resolved = await parley.http().post('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).send({ site: site.id, key: 'windowed', url: `${SITE_ORIGIN}/windowed` });
    expect(resolved.status).toBe(201);
    const { thread } = resolved.body;
    expect(new Date(thread.closesAt).getTime() - clock().now().getTime()).toBeGreaterThan(72 * HOUR - 60_000);
    expect((await postComment(parley, thread.id, { body: 'Day one.' })).status).toBe(201);
    clock().advance(72 * HOUR);
    expect((await postComment(parley, thread.id, { body: 'Day four.' })).status).toBe(403);
    // The site setting is read and written like the others.
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    expect((await admin.call('patch', `/sites/${site.id}`, { settings: { closeAfterHours: -1 } })).status).toBe(400);
    expect((await admin.call('patch', `/sites/${site.id}`, { settings: { closeAfterHours: 0 } })).status).toBe(200);
  });

  it('refuses bad schedule values with 400 at their field, storing nothing', async () => {
    const { thread, mod } = await setup();
    const before = await stored(thread.id);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ closesAt: 'tomorrow' }, 'closesAt'],
      [{ closesAt: 1_900_000_000 }, 'closesAt'],
      [{ closesAt: '2030-05-01T18:00:00' }, 'closesAt'],
      [{ reopensAt: '1999-12-31T23:00:00Z' }, 'reopensAt'],
      [{ reopensAt: '2030-13-01T00:00:00Z' }, 'reopensAt'],
      [{ linksAllowed: 'no' }, 'linksAllowed'],
      [{ closesAt: inHours(1), linksAllowed: null }, 'linksAllowed'],
    ];
    for (const [body, field] of bad) {
      const res = await mod.call('patch', `/threads/${thread.id}`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await stored(thread.id)).toEqual(before);
    expect(await events(thread.id)).toHaveLength(0);
    expect(await db().selectFrom('moderation_log').select('id').where('thread_id', '=', thread.id).execute()).toHaveLength(0);
  });

  it('lets only the site’s moderators and keys set a schedule', async () => {
    const { site, thread } = await setup();
    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    const other = await buildSite(db());
    const stranger = await member(parley, [[other.id, 'admin']], 'stranger');
    expect((await journalist.call('patch', `/threads/${thread.id}`, { closesAt: inHours(1) })).status).toBe(403);
    // Another site's staff do not learn the thread exists.
    expect((await stranger.call('patch', `/threads/${thread.id}`, { closesAt: inHours(1) })).status).toBe(404);
    expect((await stored(thread.id)).closes_at).toBeNull();
    const key = await apiKey(parley, site.id);
    expect((await key.call('patch', `/threads/${thread.id}`, { closesAt: inHours(1) })).status).toBe(200);
  });
});

describe('links switched off in a thread', () => {
  it('holds a reader’s comment with a link for a moderator, and publishes one without', async () => {
    const { thread, mod } = await setup();
    const set = await mod.call('patch', `/threads/${thread.id}`, { linksAllowed: false });
    expect(set.body.thread.linksAllowed).toBe(false);
    const withLink = await postComment(parley, thread.id, { body: 'Read https://example.com/story first.' });
    expect(withLink.status).toBe(201);
    expect(withLink.body.comment.status).toBe('pending');
    const item = await db().selectFrom('comments').select('status_reason').where('id', '=', withLink.body.comment.id).executeTakeFirstOrThrow();
    expect(item.status_reason).toBe('links are not allowed in this thread');
    expect((await postComment(parley, thread.id, { body: 'No link here.' })).body.comment.status).toBe('approved');
    await mod.call('patch', `/threads/${thread.id}`, { linksAllowed: true }).expect(200);
    expect((await postComment(parley, thread.id, { body: 'Now see https://example.com/other' })).body.comment.status).toBe('approved');
  });
});
