import { completeRequest, listPendingRequests } from '../../server/privacy/requests.service';
import { buildSite, buildThread } from '../helpers/factories';
import type { TestParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';
import { postAs, scanDatabase, startPrivacyParley, type PrivacyParley } from './helpers';

let parley: PrivacyParley;
beforeAll(async () => {
  parley = await startPrivacyParley(); // no SMTP_URL: requests wait for the site's admins
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());

const deps = () => ({ ...parley.app.deps, publicUrl: 'http://parley.test' });

async function reader(email: string, name: string) {
  const site = await buildSite(parley.db, { id: 'daily' });
  const thread = await buildThread(parley.db, site.id);
  const first = await postAs(parley, thread.id, { body: 'The regulator was right.', name, email });
  const reply = await postAs(parley, thread.id, { body: 'Agreed, and they should pay.', name: 'Paul Ducklin', parentId: first.body.comment.id });
  return { site, thread, token: first.body.commenterToken as string, first: first.body.comment.id as string, reply: reply.body.comment.id as string };
}

describe('lost token, without a mail transport', () => {
  it('keeps the request for the site’s admins, with the same answer whether the address is known or not', async () => {
    const { site } = await reader('ana@example.com', 'Ana');
    const known = await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'export' });
    const unknown = await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'zoe@example.com', kind: 'export' });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    expect(known.body.request).toMatchObject({ delivery: 'admin', message: expect.stringMatching(/team will carry out/) });
    // Asking twice keeps one request.
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ANA@example.com', kind: 'export' });

    const pending = await listPendingRequests(parley.app.deps, site.id);
    expect(pending).toEqual([expect.objectContaining({ kind: 'export', channel: 'admin', status: 'pending', email: 'ana@example.com', identities: 1 })]);
    expect(await listPendingRequests(parley.app.deps, 'another-site')).toEqual([]);
    expect(await scanDatabase(parley.db, ['zoe@example.com'])).toEqual([]);
  });

  it('lets an admin carry out an export in one go, keeping only that it was done', async () => {
    const { site, first } = await reader('ana@example.com', 'Ana');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'export' });
    const [request] = await listPendingRequests(parley.app.deps, site.id);

    // Another site's admin cannot see or touch it.
    await expect(completeRequest(deps(), { siteId: 'elsewhere', memberId: 'm-2' }, request!.id)).rejects.toMatchObject({ kind: 'not_found' });

    const outcome = await completeRequest(deps(), { siteId: site.id, memberId: 'member-1' }, request!.id);
    expect(outcome.kind).toBe('export');
    if (outcome.kind !== 'export') return;
    const identities = outcome.document.identities as Array<{ commenter: { email: string }; comments: Array<{ id: string }> }>;
    expect(identities).toHaveLength(1);
    expect(identities[0]!.commenter.email).toBe('ana@example.com');
    expect(identities[0]!.comments.map((c) => c.id)).toEqual([first]);
    expect(outcome.request).toMatchObject({ status: 'done', email: null, completed_by: 'member-1', outcome: { identities: 1, comments: 1 } });
    expect(await listPendingRequests(parley.app.deps, site.id)).toEqual([]);
    await expect(completeRequest(deps(), { siteId: site.id, memberId: 'member-1' }, request!.id)).rejects.toMatchObject({ code: 'request_done' });
  });

  it('lets an admin carry out an erasure: the address is then found nowhere', async () => {
    const { site, thread, token, first, reply } = await reader('ana@example.com', 'Ana Quatremer');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'erase' });
    const [request] = await listPendingRequests(parley.app.deps, site.id);
    const outcome = await completeRequest(deps(), { siteId: site.id, memberId: 'member-1' }, request!.id);
    expect(outcome.kind).toBe('erase');

    expect(await scanDatabase(parley.db, ['ana@example.com', 'Ana Quatremer'])).toEqual([]);
    const rows = await parley.db.selectFrom('privacy_requests').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ kind: 'erase', status: 'done', email: null, completed_by: 'member-1', outcome: { identities: 1, comments: 1, reactions: 0, flags: 0 } })]);
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items[0]).toMatchObject({ id: first, status: 'deleted', replies: { items: [expect.objectContaining({ id: reply })] } });
    expect((await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect(parley.events('commenter.revoked')).toHaveLength(1);
  });

  it('forgets a pending request when the reader erases themselves meanwhile', async () => {
    const { site, token } = await reader('ana@example.com', 'Ana');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'export' });
    expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect(await listPendingRequests(parley.app.deps, site.id)).toEqual([]);
    expect(await scanDatabase(parley.db, ['ana@example.com'])).toEqual([]);
  });
});

describe('lost token, through the admins\u2019 API', () => {
  const asTest = () => parley as unknown as TestParley;

  it('lists pending requests and carries out an export for the site\u2019s admin only, logging that it was done', async () => {
    const { site, first } = await reader('ana@example.com', 'Ana');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'export' });
    const admin = await member(asTest(), [[site.id, 'admin']], 'admin', { name: 'Ed Itor' });
    const moderator = await member(asTest(), [[site.id, 'moderator']], 'moderator');
    await buildSite(parley.db, { id: 'elsewhere' });
    const stranger = await member(asTest(), [['elsewhere', 'admin']], 'other site admin');
    const key = await apiKey(asTest(), site.id);

    const list = await admin.call('get', `/moderation/privacy-requests?site=${site.id}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ kind: 'export', status: 'pending', email: 'ana@example.com', identities: 1 })]);
    const id = list.body.items[0].id as string;

    expect((await moderator.call('get', `/moderation/privacy-requests?site=${site.id}`)).status).toBe(403);
    expect((await stranger.call('get', `/moderation/privacy-requests?site=${site.id}`)).status).toBe(404);
    expect((await moderator.call('post', `/moderation/privacy-requests/${id}/complete`)).status).toBe(403);
    expect((await stranger.call('post', `/moderation/privacy-requests/${id}/complete`)).status).toBe(404);
    expect((await key.call('post', `/moderation/privacy-requests/${id}/complete`)).status).toBe(403);
    expect((await admin.call('post', '/moderation/privacy-requests/not-an-id/complete')).status).toBe(400);

    const done = await admin.call('post', `/moderation/privacy-requests/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body.request).toMatchObject({ id, status: 'done', email: null, completedBy: admin.id });
    expect(done.body.document.identities[0].commenter.email).toBe('ana@example.com');
    expect(done.body.document.identities[0].comments.map((c: { id: string }) => c.id)).toEqual([first]);

    const again = await admin.call('post', `/moderation/privacy-requests/${id}/complete`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('request_done');
    expect((await admin.call('get', `/moderation/privacy-requests?site=${site.id}`)).body.items).toEqual([]);

    const log = await admin.call('get', `/moderation/log?site=${site.id}`);
    const entry = (log.body.items as Array<Record<string, unknown>>).find((e) => e.action === 'privacy_export');
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toContain('ana@example.com');
    // An export keeps the commenter as they were; the request and the log no longer hold the address.
    expect(await scanDatabase(parley.db, ['ana@example.com'])).toEqual([{ table: 'commenters', column: 'email', needle: 'ana@example.com' }]);
  });

  it('carries out an erasure in one click: the reader\u2019s name leaves the thread', async () => {
    const { site, thread } = await reader('ana@example.com', 'Ana Quatremer');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'ana@example.com', kind: 'erase' });
    const admin = await member(asTest(), [[site.id, 'admin']], 'admin');
    const [request] = (await admin.call('get', `/moderation/privacy-requests?site=${site.id}`)).body.items;
    const done = await admin.call('post', `/moderation/privacy-requests/${request.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body.request).toMatchObject({ kind: 'erase', status: 'done', outcome: expect.objectContaining({ identities: 1, comments: 1 }) });
    expect(done.body.document).toBeUndefined();
    const page = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(JSON.stringify(page.body)).not.toContain('Ana Quatremer');
    expect(await scanDatabase(parley.db, ['ana@example.com', 'Ana Quatremer'])).toEqual([]);
  });
});
