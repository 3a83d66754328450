import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

describe('a comment marked as spam', () => {
  it('is "spam" to moderators, in the decision’s answer and the spam queue, while its author still sees "pending"', async () => {
    const db = parley.database.db;
    const site = await buildSite(db, { settings: { moderation: 'pre' } });
    const thread = await buildThread(db, site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const posted = await postComment(parley, thread.id, { body: 'Buy followers.' });
    const id = posted.body.comment.id as string;

    const decided = await mod.call('post', `/moderation/comments/${id}/decision`, { action: 'spam' });
    expect(decided.body.comment.status).toBe('spam');
    const queue = await mod.call('get', `/moderation/comments?site=${site.id}&queue=spam`);
    expect(queue.body.items.map((i: { comment: { status: string } }) => i.comment.status)).toEqual(['spam']);
    expect((await mod.call('get', `/moderation/comments/${id}`)).body.comment.status).toBe('spam');

    const own = await parley.http().get(`/api/v1/comments/${id}`).set('Authorization', `Bearer ${posted.body.commenterToken}`);
    expect(own.body.comment.status).toBe('pending');
  });
});
