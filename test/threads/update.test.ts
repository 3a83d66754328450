import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

describe('PATCH /threads/:id', () => {
  it('closes and reopens commenting, live, with the next seq', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await postComment(parley, thread.id, { body: 'before' })).status).toBe(201);

    const closed = await mod.call('patch', `/threads/${thread.id}`, { state: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body.thread).toMatchObject({ state: 'closed', seq: 2 });
    const event = await db().selectFrom('thread_events').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ event: 'thread:updated', audience: null });
    expect(event.payload).toMatchObject({ threadId: thread.id, seq: 2, thread: { state: 'closed' } });

    const refused = await postComment(parley, thread.id, { body: 'after' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('thread_closed');

    // The same state again changes nothing and writes no event.
    expect((await mod.call('patch', `/threads/${thread.id}`, { state: 'closed' })).body.thread.seq).toBe(2);
    await mod.call('patch', `/threads/${thread.id}`, { state: 'open' }).expect(200);
    expect((await postComment(parley, thread.id, { body: 'after' })).status).toBe(201);
    const actions = (await db().selectFrom('moderation_log').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['thread.close', 'thread.reopen']);
  });

  it('sets a thread’s own moderation mode over the site’s, and back', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    await mod.call('patch', `/threads/${thread.id}`, { mode: 'pre' }).expect(200);
    expect((await postComment(parley, thread.id, { body: 'held' })).body.comment.status).toBe('pending');
    const back = await mod.call('patch', `/threads/${thread.id}`, { mode: null });
    expect(back.body.thread.mode).toBeNull();
    expect((await postComment(parley, thread.id, { body: 'published' })).body.comment.status).toBe('approved');
  });

  it('refuses an empty or unknown change with 400', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await mod.call('patch', `/threads/${thread.id}`, {})).status).toBe(400);
    expect((await mod.call('patch', `/threads/${thread.id}`, { state: 'locked' })).status).toBe(400);
    expect((await mod.call('patch', `/threads/${thread.id}`, { comment_count: 0 })).status).toBe(400);
  });
});
