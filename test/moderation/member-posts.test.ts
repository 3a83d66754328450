import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

describe('members answering readers', () => {
  it('a journalist replies under their name with a badge, approved at once even in pre-moderation', async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre', heldWords: ['clearview'] } });
    const thread = await buildThread(db(), site.id);
    const reader = await postComment(parley, thread.id, { body: 'How many companies are in this position?' });
    expect(reader.body.comment.status).toBe('pending');
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    await mod.call('post', `/moderation/comments/${reader.body.comment.id}/decision`, { action: 'approve' }).expect(200);

    const duck = await member(parley, [[site.id, 'journalist']], 'journalist', { name: 'Paul Ducklin' });
    const res = await duck.call('post', `/moderation/threads/${thread.id}/comments`, {
      body: 'Clearview is the one that got caught. *Many* others do the same.',
      parentId: reader.body.comment.id,
    });
    expect(res.status).toBe(201);
    expect(res.body.comment).toMatchObject({
      parentId: reader.body.comment.id,
      status: 'approved',
      author: { name: 'Paul Ducklin', website: null, badge: 'journalist' },
    });
    expect(res.body.commenterToken).toBeUndefined();

    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items[0].replies.items[0]).toMatchObject({ id: res.body.comment.id, author: { badge: 'journalist' } });
    expect(list.body.items[0].replyCount).toBe(1);
    const row = await db().selectFrom('comments').selectAll().where('id', '=', res.body.comment.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ member_id: duck.id, commenter_id: null, ip_hash: null, status_reason: 'member' });
    const entry = await db().selectFrom('moderation_log').selectAll().where('action', '=', 'comment.post').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_id: duck.id, comment_id: res.body.comment.id });
  });

  it('a moderator and an admin get their own badge', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    expect((await mod.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Please keep it civil.' })).body.comment.author.badge).toBe('moderator');
    expect((await admin.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Welcome.' })).body.comment.author.badge).toBe('admin');
  });

  it('an API key posts for a member of its site, named by memberId', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const duck = await member(parley, [[site.id, 'journalist']], 'journalist', { name: 'Paul Ducklin' });
    const outsider = await member(parley, [], 'outsider');
    const key = await apiKey(parley, site.id);
    const res = await key.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Update: the fine was confirmed.', memberId: duck.id });
    expect(res.status).toBe(201);
    expect(res.body.comment.author).toEqual({ name: 'Paul Ducklin', website: null, badge: 'journalist' });
    const missing = await key.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'x' });
    expect(missing.status).toBe(400);
    const foreign = await key.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'x', memberId: outsider.id });
    expect(foreign.status).toBe(404);
    // A member cannot post as someone else.
    const spoof = await duck.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'x', memberId: outsider.id });
    expect(spoof.status).toBe(400);
  });

  it('members cannot post in a closed thread either', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id, { state: 'closed' });
    const duck = await member(parley, [[site.id, 'journalist']], 'journalist');
    const res = await duck.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'late answer' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('thread_closed');
  });
});
