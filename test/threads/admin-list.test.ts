import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';

/** What the dashboard reads beside the queues: a site's threads, and one commenter's record in the log. */
const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

describe('GET /moderation/threads', () => {
  it('lists a site’s threads newest first, page by page, with their polls, for members who may post', async () => {
    const site = await buildSite(db());
    const other = await buildSite(db());
    const threads = [];
    for (let i = 0; i < 3; i++) {
      const t = await buildThread(db(), site.id, { key: `article-${i}` });
      await db().updateTable('threads').set({ created_at: new Date(Date.UTC(2026, 0, 1 + i)) }).where('id', '=', t.id).execute();
      threads.push(t);
    }
    await buildThread(db(), other.id, { key: 'elsewhere' });
    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    const poll = await journalist.call('post', `/threads/${threads[2]!.id}/polls`, { question: 'Fine enough?', options: ['Yes', 'No'] });
    expect(poll.status).toBe(201);

    const first = await journalist.call('get', `/moderation/threads?site=${site.id}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { key: string }) => t.key)).toEqual(['article-2', 'article-1']);
    expect(first.body.items[0].polls).toMatchObject([{ question: 'Fine enough?', state: 'open' }]);
    const second = await journalist.call('get', `/moderation/threads?site=${site.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((t: { key: string }) => t.key)).toEqual(['article-0']);
    expect(second.body.nextCursor).toBeNull();

    // A site API key may list too; another site's threads are "not found"; nobody signed in is 401.
    const key = await apiKey(parley, site.id);
    expect((await key.call('get', `/moderation/threads?site=${site.id}`)).body.items).toHaveLength(3);
    expect((await journalist.call('get', `/moderation/threads?site=${other.id}`)).status).toBe(404);
    expect((await parley.http().get(`/api/v1/moderation/threads?site=${site.id}`)).status).toBe(401);
    expect((await journalist.call('get', `/moderation/threads?site=${site.id}&cursor=nonsense`)).status).toBe(400);
  });
});

describe('GET /moderation/log?commenterId=', () => {
  it('gives one commenter’s earlier decisions and bans, and nobody else’s', async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre' } });
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const ana = await postComment(parley, thread.id, { body: 'One.', name: 'Ana' });
    const anaAgain = await postComment(parley, thread.id, { body: 'Two.' }, ana.body.commenterToken);
    const ben = await postComment(parley, thread.id, { body: 'Three.', name: 'Ben' });
    await mod.call('post', `/moderation/comments/${ana.body.comment.id}/decision`, { action: 'approve' }).expect(200);
    await mod.call('post', `/moderation/comments/${anaAgain.body.comment.id}/decision`, { action: 'reject', reason: 'off topic' }).expect(200);
    await mod.call('post', `/moderation/comments/${ben.body.comment.id}/decision`, { action: 'spam' }).expect(200);
    await mod.call('post', '/moderation/bans', { site: site.id, commentId: anaAgain.body.comment.id }).expect(201);

    const commenterId = (await db().selectFrom('comments').select('commenter_id').where('id', '=', ana.body.comment.id).executeTakeFirstOrThrow()).commenter_id;
    const res = await mod.call('get', `/moderation/log?site=${site.id}&commenterId=${commenterId}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { action: string; reason: string | null }) => [e.action, e.reason])).toEqual([
      ['ban.create', null],
      ['comment.reject', 'off topic'],
      ['comment.approve', null],
    ]);
    expect((await mod.call('get', `/moderation/log?site=${site.id}&commenterId=not-an-id`)).status).toBe(400);
  });
});
