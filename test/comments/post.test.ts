import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley();

const db = () => parley.database.db;
const count = async (table: 'comments' | 'commenters') => (await db().selectFrom(table).selectAll().execute()).length;

describe('POST /threads/:id/comments', () => {
  it('posts anonymously, returning a token once and storing only its hash', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, { body: 'How would I resolve this stand-off? *Off with their heads.*' });
    expect(res.status).toBe(201);
    expect(res.body.commenterToken).toMatch(/^ct_[\w-]{32}$/);
    expect(res.body.comment).toMatchObject({
      threadId: thread.id,
      parentId: null,
      depth: 0,
      status: 'approved',
      author: { name: 'Anonymous', website: null, badge: null },
      bodyHtml: '<p>How would I resolve this stand-off? <em>Off with their heads.</em></p>',
      mine: true,
      seq: 1,
    });
    expect(res.body.comment).not.toHaveProperty('email');
    const commenters = await db().selectFrom('commenters').selectAll().execute();
    expect(commenters).toHaveLength(1);
    expect(commenters[0]!.token_hash).not.toContain(res.body.commenterToken);
    expect(JSON.stringify(commenters)).not.toContain(res.body.commenterToken.slice(3));

    const thread2 = await parley.http().get(`/api/v1/threads/${thread.id}`);
    expect(thread2.body.thread).toMatchObject({ commentCount: 1, seq: 1 });
  });

  it('keeps one identity across posts with the token, and never reissues it', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const first = await postComment(parley, thread.id, { body: 'first', name: 'Rich', email: 'rich@example.com', website: 'https://rich.example' });
    const token = first.body.commenterToken;
    const second = await postComment(parley, thread.id, { body: 'second' }, token);
    expect(second.status).toBe(201);
    expect(second.body.commenterToken).toBeUndefined();
    expect(second.body.comment.author).toEqual({ name: 'Rich', website: 'https://rich.example/', badge: null });
    expect(JSON.stringify(second.body)).not.toContain('rich@example.com');
    expect(await count('commenters')).toBe(1);
  });

  it('refuses an unknown token with 401 instead of posting as someone new', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, { body: 'hello' }, 'ct_not-a-real-token-at-all-000000000');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(await count('comments')).toBe(0);
  });

  it('threads replies under their parent and counts them', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const parent = await postComment(parley, thread.id, { body: 'We need to instate the corporate death penalty.' });
    const reply = await postComment(parley, thread.id, { body: 'Insolvency springs to mind.', parentId: parent.body.comment.id });
    expect(reply.status).toBe(201);
    expect(reply.body.comment).toMatchObject({ parentId: parent.body.comment.id, depth: 1 });
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].replyCount).toBe(1);
    expect(list.body.items[0].replies.items[0].id).toBe(reply.body.comment.id);
  });

  it('answers 404 for a parent in another thread', async () => {
    const site = await buildSite(db());
    const a = await buildThread(db(), site.id);
    const b = await buildThread(db(), site.id);
    const parent = await postComment(parley, a.id, { body: 'in thread a' });
    const res = await postComment(parley, b.id, { body: 'reply', parentId: parent.body.comment.id });
    expect(res.status).toBe(404);
    expect(await count('comments')).toBe(1);
  });

  it('attaches a reply beyond the depth cap at the cap, remembering what it answers', async () => {
    const site = await buildSite(db(), { settings: { maxDepth: 1 } });
    const thread = await buildThread(db(), site.id);
    const top = await postComment(parley, thread.id, { body: 'top' });
    const level1 = await postComment(parley, thread.id, { body: 'level 1', parentId: top.body.comment.id });
    const level2 = await postComment(parley, thread.id, { body: 'level 2', parentId: level1.body.comment.id });
    expect(level2.body.comment).toMatchObject({ depth: 1, parentId: top.body.comment.id, replyToId: level1.body.comment.id });
  });

  it('refuses a comment on a closed thread with a clear error', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id, { state: 'closed' });
    const res = await postComment(parley, thread.id, { body: 'too late' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'thread_closed', message: expect.stringMatching(/closed/) });
    expect(await count('comments')).toBe(0);
    expect(await count('commenters')).toBe(0);
  });

  it('holds comments in a pre-moderated thread, visible to nobody but the author', async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre' } });
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, { body: 'please approve me' });
    expect(res.status).toBe(201);
    expect(res.body.comment.status).toBe('pending');
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items).toHaveLength(0);
    const t = await parley.http().get(`/api/v1/threads/${thread.id}`);
    expect(t.body.thread.commentCount).toBe(0);
  });

  it('holds a comment with more links than the site allows', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, { body: 'https://a.example https://b.example https://c.example' });
    expect(res.body.comment.status).toBe('pending');
  });

  it.each([
    [{ body: '' }, 'body'],
    [{ body: '   \n ' }, 'body'],
    [{ body: 'x', website: 'javascript:alert(1)' }, 'website'],
    [{ body: 'x', website: '/relative' }, 'website'],
    [{ body: 'x', email: 'not-an-email' }, 'email'],
    [{ body: 'x', name: 'two\nlines' }, 'name'],
    [{ body: 'x', name: 'n'.repeat(81) }, 'name'],
    [{ body: 'x', parentId: 'nope' }, 'parentId'],
    [{ body: 42 }, 'body'],
  ])('refuses %j with 400 on %s and stores nothing', async (payload, field) => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, payload);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(await count('comments')).toBe(0);
    expect(await count('commenters')).toBe(0);
  });

  it('enforces the site body limit and required fields', async () => {
    const site = await buildSite(db(), { settings: { maxBodyLength: 20, requireEmail: true } });
    const thread = await buildThread(db(), site.id);
    const res = await postComment(parley, thread.id, { body: 'x'.repeat(21) });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'email']);
    expect(await count('comments')).toBe(0);
  });

  it('answers 404 for a thread that does not exist', async () => {
    const res = await postComment(parley, '0000000000000000', { body: 'hello' });
    expect(res.status).toBe(404);
    expect(await count('commenters')).toBe(0);
  });
});
