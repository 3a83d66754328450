import { sql } from 'kysely';
import { buildComment, buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

async function setup(settings: Record<string, unknown> = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
  return { site, thread, mod };
}

describe('banning a commenter', () => {
  it('takes effect at once, for that commenter only, until lifted', async () => {
    const { site, thread, mod } = await setup();
    const troll = await postComment(parley, thread.id, { body: 'first', name: 'Troll', email: 'troll@example.com' });
    const token = troll.body.commenterToken;
    const bystander = await postComment(parley, thread.id, { body: 'hello', name: 'Rich' });

    const ban = await mod.call('post', '/moderation/bans', { site: site.id, commentId: troll.body.comment.id, reason: 'abuse' });
    expect(ban.status).toBe(201);
    expect(ban.body.ban).toMatchObject({ scope: 'commenter', active: true, expiresAt: null, reason: 'abuse', commenter: { id: expect.any(String) } });

    const refused = await postComment(parley, thread.id, { body: 'second' }, token);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'banned', message: 'You can no longer comment on this site.' });
    // Replies too, and nothing is stored.
    const reply = await postComment(parley, thread.id, { body: 'reply', parentId: bystander.body.comment.id }, token);
    expect(reply.status).toBe(403);
    expect(await db().selectFrom('comments').selectAll().where('commenter_id', '=', ban.body.ban.commenter.id).execute()).toHaveLength(1);
    // Someone else is unaffected.
    expect((await postComment(parley, thread.id, { body: 'still here' }, bystander.body.commenterToken)).status).toBe(201);

    const list = await mod.call('get', `/moderation/bans?site=${site.id}`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: ban.body.ban.id, commenter: { name: 'Troll', email: 'troll@example.com' } });
    // The queue shows the author as banned.
    const queue = await mod.call('get', `/moderation/comments/${troll.body.comment.id}`);
    expect(queue.body.commenter.banned).toBe(true);

    const lifted = await mod.call('delete', `/moderation/bans/${ban.body.ban.id}`);
    expect(lifted.status).toBe(200);
    expect(lifted.body.ban.active).toBe(false);
    expect((await postComment(parley, thread.id, { body: 'sorry' }, token)).status).toBe(201);
    expect((await mod.call('get', `/moderation/bans?site=${site.id}`)).body.items).toHaveLength(0);
    expect((await mod.call('get', `/moderation/bans?site=${site.id}&active=false`)).body.items).toHaveLength(1);

    const actions = (await db().selectFrom('moderation_log').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['ban.create', 'ban.lift']);
  });

  it('stops a banned reader from editing what they already posted', async () => {
    const { site, thread, mod } = await setup();
    const troll = await postComment(parley, thread.id, { body: 'first words', name: 'Troll' });
    const token = troll.body.commenterToken;
    const id = troll.body.comment.id;
    await mod.call('post', '/moderation/bans', { site: site.id, commentId: id, reason: 'abuse' }).expect(201);

    const edit = await parley.http().patch(`/api/v1/comments/${id}`).set('Authorization', `Bearer ${token}`).send({ body: 'now with abuse' });
    expect(edit.status).toBe(403);
    expect(edit.body.error.code).toBe('banned');
    const row = await db().selectFrom('comments').select(['body_src', 'edited_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ body_src: 'first words', edited_at: null });
    expect(await db().selectFrom('comment_edits').selectAll().execute()).toHaveLength(0);
  });

  it('applies on that site only', async () => {
    const { site, thread, mod } = await setup();
    const otherSite = await buildSite(db());
    const otherThread = await buildThread(db(), otherSite.id);
    const troll = await postComment(parley, thread.id, { body: 'first' });
    await mod.call('post', '/moderation/bans', { site: site.id, commentId: troll.body.comment.id }).expect(201);
    expect((await postComment(parley, otherThread.id, { body: 'elsewhere' }, troll.body.commenterToken)).status).toBe(201);
  });

  it('a timed ban says until when, and ends by itself', async () => {
    const { site, thread, mod } = await setup();
    const troll = await postComment(parley, thread.id, { body: 'first' });
    const ban = await mod.call('post', '/moderation/bans', { site: site.id, commentId: troll.body.comment.id, durationHours: 24 });
    const expiresAt = Date.parse(ban.body.ban.expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const refused = await postComment(parley, thread.id, { body: 'second' }, troll.body.commenterToken);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^You cannot comment on this site until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
    await db().updateTable('bans').set({ expires_at: sql`now() - interval '1 second'` }).execute();
    expect((await postComment(parley, thread.id, { body: 'back' }, troll.body.commenterToken)).status).toBe(201);
  });

  it('can reject the commenter’s pending comments at the same time', async () => {
    const { site, thread, mod } = await setup({ moderation: 'pre' });
    const other = await buildThread(db(), site.id);
    const first = await postComment(parley, thread.id, { body: 'spam one' });
    const token = first.body.commenterToken;
    const second = await postComment(parley, other.id, { body: 'spam two' }, token);
    const bystander = await postComment(parley, thread.id, { body: 'a real comment' });
    const res = await mod.call('post', '/moderation/bans', { site: site.id, commentId: first.body.comment.id, rejectPending: true, reason: 'spammer' });
    expect(res.status).toBe(201);
    expect(res.body.rejected.sort()).toEqual([first.body.comment.id, second.body.comment.id].sort());
    const statuses = await db().selectFrom('comments').select(['id', 'status']).execute();
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
      [first.body.comment.id]: 'rejected',
      [second.body.comment.id]: 'rejected',
      [bystander.body.comment.id]: 'pending',
    });
    const log = await db().selectFrom('moderation_log').selectAll().where('action', '=', 'comment.reject').execute();
    expect(log).toHaveLength(2);
    expect(log[0]!.details).toEqual({ banId: res.body.ban.id });
    // Their authors see them turn to rejected, live; nobody else is told anything.
    const events = await db().selectFrom('thread_events').selectAll().where('event', '=', 'comment:updated').execute();
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.audience !== null && (e.payload as { comment: { status: string } }).comment.status === 'rejected')).toBe(true);
    expect(await db().selectFrom('thread_events').selectAll().where('audience', 'is', null).where('event', '<>', 'comment:created').execute()).toEqual([]);
  });
});

describe('banning a network', () => {
  it('refuses anyone posting from that network, even a brand-new commenter', async () => {
    const { site, thread, mod } = await setup();
    const troll = await postComment(parley, thread.id, { body: 'first' });
    const ban = await mod.call('post', '/moderation/bans', { site: site.id, commentId: troll.body.comment.id, scope: 'network' });
    expect(ban.status).toBe(201);
    expect(ban.body.ban).toMatchObject({ scope: 'network', commenter: null, commentId: troll.body.comment.id });
    expect(JSON.stringify(ban.body)).not.toMatch(/\d{4}-\d\d-\d\d:/); // the network hash itself is never shown
    const fresh = await postComment(parley, thread.id, { body: 'a new identity' });
    expect(fresh.status).toBe(403);
    expect(fresh.body.error.code).toBe('banned');
    expect(await db().selectFrom('commenters').selectAll().execute()).toHaveLength(1);
  });

  it('still matches on a later day, while the day’s hashing secret is kept', async () => {
    const { site, thread, mod } = await setup();
    const troll = await buildComment(db(), thread, { status: 'approved' });
    // The comment was posted yesterday from this machine: its hash is under yesterday's secret.
    const yesterday = new Date(Date.now() - 86_400_000);
    const hash = await parley.app.deps.network.hash('127.0.0.1', yesterday);
    await db().updateTable('comments').set({ ip_hash: hash }).where('id', '=', troll.id).execute();
    await mod.call('post', '/moderation/bans', { site: site.id, commentId: troll.id, scope: 'network' }).expect(201);
    expect((await postComment(parley, thread.id, { body: 'today' })).status).toBe(403);

    // Once that day's secret is destroyed (retention), the network can no longer be recognised.
    await db().deleteFrom('hash_keys').where('day', '=', yesterday.toISOString().slice(0, 10)).execute();
    parley.app.deps.network.forgetBefore(new Date().toISOString().slice(0, 10));
    expect((await postComment(parley, thread.id, { body: 'today' })).status).toBe(201);
  });

  it('explains when a comment has no network left to ban', async () => {
    const { site, thread, mod } = await setup();
    const c = await buildComment(db(), thread, { status: 'approved', ipHash: null });
    const res = await mod.call('post', '/moderation/bans', { site: site.id, commentId: c.id, scope: 'network' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('no_network');
  });
});

describe('ban input', () => {
  it('needs exactly one target, a comment of this site, and a commenter who wrote here', async () => {
    const { site, thread, mod } = await setup();
    const otherSite = await buildSite(db());
    const otherThread = await buildThread(db(), otherSite.id);
    const foreign = await buildComment(db(), otherThread, { status: 'approved' });
    const mine = await buildComment(db(), thread, { status: 'approved' });
    expect((await mod.call('post', '/moderation/bans', { site: site.id })).status).toBe(400);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commentId: mine.id, commenterId: mine.commenter_id })).status).toBe(400);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commenterId: mine.commenter_id, scope: 'network' })).status).toBe(400);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commentId: foreign.id })).status).toBe(404);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commenterId: foreign.commenter_id })).status).toBe(404);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commenterId: mine.commenter_id, durationHours: 0 })).status).toBe(400);
    expect((await mod.call('post', '/moderation/bans', { site: site.id, commenterId: mine.commenter_id })).status).toBe(201);
    expect(await db().selectFrom('bans').selectAll().execute()).toHaveLength(1);
  });
});
