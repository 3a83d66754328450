import { sql } from 'kysely';
import { postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { login, signFor, ssoScene } from './helpers';

const parley = useParley();

const comments = (threadId: string, token?: string) => {
  const req = parley.http().get(`/api/v1/threads/${threadId}/comments`);
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
};

describe('signing in with the publisher’s token', () => {
  it('signs a reader in, and their comment shows the account’s name and reader badge (never a staff badge)', async () => {
    const scene = await ssoScene(parley);
    const token = await signFor(scene, { name: 'Ada Subscriber', badge: 'Subscriber', email: 'ada@example.org', role: 'admin' });
    const res = await login(parley, { site: scene.siteId, token });
    expect(res.status).toBe(200);
    expect(res.body.commenterToken).toMatch(/^ct_/);
    expect(res.body.commenter).toMatchObject({ name: 'Ada Subscriber', readerBadge: 'Subscriber', signedIn: true });

    // The form's name cannot impersonate anyone: the account's name is used.
    const posted = await postComment(parley, scene.threadId, { body: 'Signed in and commenting.', name: 'The Editor' }, res.body.commenterToken);
    expect(posted.status).toBe(201);
    expect(posted.body.comment.author).toEqual({ name: 'Ada Subscriber', website: null, badge: null, readerBadge: 'Subscriber' });
    const page = await comments(scene.threadId);
    expect(page.body.items[0].author).toEqual({ name: 'Ada Subscriber', website: null, badge: null, readerBadge: 'Subscriber' });
    expect(JSON.stringify(page.body)).not.toContain('ada@example.org');
  });

  it('is one commenter per account: a later sign-in on another device is the same reader, with the latest profile', async () => {
    const scene = await ssoScene(parley);
    const first = await login(parley, { site: scene.siteId, token: await signFor(scene, { name: 'Ada' }) });
    const second = await login(parley, { site: scene.siteId, token: await signFor(scene, { name: 'Ada Lovelace', badge: 'Patron' }) });
    expect(second.status).toBe(200);
    expect(second.body.commenter.id).toBe(first.body.commenter.id);
    expect(second.body.commenterToken).not.toBe(first.body.commenterToken);
    // Both devices stay signed in.
    for (const t of [first.body.commenterToken, second.body.commenterToken]) {
      const me = await parley.http().get('/api/v1/me').set('Authorization', `Bearer ${t}`);
      expect(me.status).toBe(200);
      expect(me.body.commenter.name).toBe('Ada Lovelace');
    }
  });

  it('keeps the token the browser already holds for the same account instead of minting another', async () => {
    const scene = await ssoScene(parley);
    const first = await login(parley, { site: scene.siteId, token: await signFor(scene) });
    const again = await login(parley, { site: scene.siteId, token: await signFor(scene) }, first.body.commenterToken);
    expect(again.body.commenterToken).toBe(first.body.commenterToken);
    const other = await login(parley, { site: scene.siteId, token: await signFor(scene, { sub: 'reader-2' }) }, first.body.commenterToken);
    expect(other.body.commenterToken).not.toBe(first.body.commenterToken);
    expect(other.body.commenter.id).not.toBe(first.body.commenter.id);
  });

  it('answers the same sign-in retried within a minute with the same token', async () => {
    const scene = await ssoScene(parley);
    const token = await signFor(scene);
    const first = await login(parley, { site: scene.siteId, token });
    const retry = await login(parley, { site: scene.siteId, token });
    expect(retry.status).toBe(200);
    expect(retry.body.commenterToken).toBe(first.body.commenterToken);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from commenter_tokens`.execute(parley.database.db);
    expect(rows[0]!.n).toBe(1);
    // Nothing in the database can give the token back without the signed token itself.
    const { rows: stored } = await sql<{ sealed: string }>`select sealed from sso_jtis`.execute(parley.database.db);
    expect(stored[0]!.sealed).not.toContain(first.body.commenterToken);
  });

  it('refuses a signed-in reader’s name and website changes in PATCH /me, and allows the rest', async () => {
    const scene = await ssoScene(parley);
    const { body } = await login(parley, { site: scene.siteId, token: await signFor(scene) });
    const me = (patch: object) => parley.http().patch('/api/v1/me').set('Authorization', `Bearer ${body.commenterToken}`).send(patch);
    const renamed = await me({ name: 'Somebody Else' });
    expect(renamed.status).toBe(403);
    expect(renamed.body.error.code).toBe('managed_by_sign_in');
    expect((await me({ website: 'https://elsewhere.example' })).status).toBe(403);
    expect((await me({ showVote: true })).status).toBe(200);
  });

  it('never grants a staff role: the commenter token opens no moderation route', async () => {
    const scene = await ssoScene(parley);
    const { body } = await login(parley, { site: scene.siteId, token: await signFor(scene, { badge: 'admin', role: 'admin', roles: ['admin'] }) });
    const queues = await parley.http().get(`/api/v1/moderation/queues?site=${scene.siteId}`).set('Authorization', `Bearer ${body.commenterToken}`);
    expect(queues.status).toBe(401);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from site_members`.execute(parley.database.db);
    expect(rows[0]!.n).toBe(1); // the admin only
  });
});

describe('site modes', () => {
  it('off: sign-in is refused with sso_disabled', async () => {
    const scene = await ssoScene(parley, { mode: 'off' });
    const res = await login(parley, { site: scene.siteId, token: await signFor(scene) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('sso_invalid');
    expect(res.body.error.details[0].reason).toBe('sso_disabled');
  });

  it('required: anonymous readers read but cannot post, like or vote; signed-in readers can', async () => {
    const scene = await ssoScene(parley, { mode: 'required' });
    const anonymous = await postComment(parley, scene.threadId, { body: 'Let me in.' });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.error.code).toBe('sign_in_required');
    expect((await comments(scene.threadId)).status).toBe(200);

    const { body } = await login(parley, { site: scene.siteId, token: await signFor(scene) });
    const posted = await postComment(parley, scene.threadId, { body: 'Signed in, so I may.' }, body.commenterToken);
    expect(posted.status).toBe(201);
    const liked = await parley.http().put(`/api/v1/comments/${posted.body.comment.id}/reaction`);
    expect(liked.status).toBe(403);
    expect(liked.body.error.code).toBe('sign_in_required');
    const ownLike = await parley.http().put(`/api/v1/comments/${posted.body.comment.id}/reaction`).set('Authorization', `Bearer ${body.commenterToken}`);
    expect(ownLike.status).toBe(200);
  });
});
