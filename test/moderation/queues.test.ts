import { buildComment, buildCommenter, buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

describe('queues', () => {
  it('counts pending, flagged, spam and rejected for one site only', async () => {
    const site = await buildSite(db(), { settings: { flagThreshold: 2 } });
    const other = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const otherThread = await buildThread(db(), other.id);
    for (const status of ['pending', 'pending', 'pending', 'spam', 'rejected', 'approved'] as const) await buildComment(db(), thread, { status });
    await buildComment(db(), thread, { status: 'approved', flagCount: 2 });
    await buildComment(db(), thread, { status: 'approved', flagCount: 1 });
    await buildComment(db(), otherThread, { status: 'pending' });
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const res = await mod.call('get', `/moderation/queues?site=${site.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ site: site.id, counts: { pending: 3, flagged: 1, spam: 1, rejected: 1 } });
  });

  it('lists a queue newest first with context: thread, parent, flags, the author with email and record', async () => {
    const site = await buildSite(db(), { settings: { heldWords: ['lawsuit'] } });
    const thread = await buildThread(db(), site.id);
    const rich = await buildCommenter(db(), { name: 'Rich', email: 'rich@example.com' });
    const parent = await buildComment(db(), thread, { status: 'approved', body: 'Insolvency springs to mind.' });
    await buildComment(db(), thread, { status: 'approved', commenterId: rich.id });
    await buildComment(db(), thread, { status: 'rejected', commenterId: rich.id });
    const older = await buildComment(db(), thread, { status: 'pending', commenterId: rich.id, createdAt: new Date(Date.now() - 60_000) });
    const newer = await buildComment(db(), thread, { status: 'pending', commenterId: rich.id, parentId: parent.id, body: 'A class-action lawsuit!' });
    await db().insertInto('flags').values([
      { comment_id: newer.id, commenter_id: null, reason: 'abusive', note: 'rude' },
      { comment_id: newer.id, commenter_id: null, reason: 'abusive', note: null },
    ]).execute();

    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const page1 = await mod.call('get', `/moderation/comments?site=${site.id}&queue=pending&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(1);
    const item = page1.body.items[0];
    expect(item.comment).toMatchObject({ id: newer.id, status: 'pending', bodySrc: 'A class-action lawsuit!', version: 0, commenterId: rich.id });
    expect(item.thread).toMatchObject({ id: thread.id, title: thread.title });
    expect(item.parent).toMatchObject({ id: parent.id, bodyHtml: '<p>Insolvency springs to mind.</p>' });
    expect(item.flags).toMatchObject({ reasons: { abusive: 2 }, recent: expect.arrayContaining([expect.objectContaining({ note: 'rude' })]) });
    expect(item.commenter).toMatchObject({
      id: rich.id,
      name: 'Rich',
      email: 'rich@example.com',
      banned: false,
      history: { approved: 1, rejected: 1, pending: 2, spam: 0, deleted: 0 },
    });
    expect(page1.body.nextCursor).toEqual(expect.any(String));

    const page2 = await mod.call('get', `/moderation/comments?site=${site.id}&queue=pending&limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((i: { comment: { id: string } }) => i.comment.id)).toEqual([older.id]);
    expect(page2.body.nextCursor).toBeNull();

    const bad = await mod.call('get', `/moderation/comments?site=${site.id}&queue=pending&cursor=nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
  });

  it('filters by thread, and shows why the rules held or rejected a comment', async () => {
    const site = await buildSite(db(), { settings: { heldWords: ['lawsuit'], blockedWords: ['crooks'] } });
    const a = await buildThread(db(), site.id);
    const b = await buildThread(db(), site.id);
    const held = await postComment(parley, a.id, { body: 'Time for a lawsuit' });
    await postComment(parley, b.id, { body: 'Another lawsuit' });
    const rejected = await postComment(parley, a.id, { body: 'They are <b>cro</b>oks' });
    expect(held.body.comment.status).toBe('pending');
    expect(rejected.body.comment.status).toBe('rejected');

    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const list = await mod.call('get', `/moderation/comments?site=${site.id}&queue=pending&threadId=${a.id}`);
    expect(list.body.items.map((i: { comment: { id: string; statusReason: string } }) => [i.comment.id, i.comment.statusReason])).toEqual([
      [held.body.comment.id, 'held word: lawsuit'],
    ]);
    const rej = await mod.call('get', `/moderation/comments?site=${site.id}&queue=rejected`);
    expect(rej.body.items[0].comment).toMatchObject({ id: rejected.body.comment.id, statusReason: 'blocked word: crooks' });

    const one = await mod.call('get', `/moderation/comments/${held.body.comment.id}`);
    expect(one.status).toBe(200);
    expect(one.body.comment.id).toBe(held.body.comment.id);
  });
});
