import { runRetention } from '../../server/privacy/retention.service';
import { buildSite, buildThread } from '../helpers/factories';
import type { TestParley } from '../helpers/parley';
import { apiKey, bearerCaller } from '../helpers/staff';
import { scanDatabase, startPrivacyParley, tableNames, type PrivacyParley } from '../privacy/helpers';
import { connected, emitAck, type RawSocket } from '../realtime/helpers';
import { login, signFor, ssoRows, ssoScene, type SsoScene } from './helpers';

let parley: PrivacyParley;
let scene: SsoScene;
let key: Awaited<ReturnType<typeof apiKey>>;
/** The shared test helpers need only its database and HTTP agent, which a privacy Parley has too. */
const asTest = () => parley as unknown as TestParley;
beforeAll(async () => {
  parley = await startPrivacyParley();
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  scene = await ssoScene(asTest());
  key = await apiKey(asTest(), scene.siteId);
});

const ADA = { sub: 'acct|4711', name: 'Ada Quatremer', email: 'ada.quatremer@example.org', badge: 'Subscriber' };
const asReader = (token: string) => ({ Authorization: `Bearer ${token}` });

async function signInAda(claims: object = ADA): Promise<string> {
  const res = await login(asTest(), { site: scene.siteId, token: await signFor(scene, claims as Record<string, unknown>) });
  expect(res.status).toBe(200);
  return res.body.commenterToken;
}

function disconnection(socket: RawSocket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

async function liveReader(token: string): Promise<RawSocket> {
  const socket = await connected(parley.url, { token, origin: 'http://parley.test' });
  expect((await emitAck(socket, 'thread:join', { threadId: scene.threadId })).error).toBeUndefined();
  return socket;
}

describe('the exchange: the publisher’s server hands over the claims, the page only a code', () => {
  it('signs the reader in with a 60-second code made with the site’s sk_ key', async () => {
    const made = await key.call('post', '/sso/codes', ADA);
    expect(made.status).toBe(201);
    expect(made.body.code).toMatch(/^sc_/);
    const lifetime = Date.parse(made.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(50_000);
    expect(lifetime).toBeLessThanOrEqual(60_000);
    const res = await login(asTest(), { site: scene.siteId, code: made.body.code });
    expect(res.status).toBe(200);
    expect(res.body.commenter).toMatchObject({ name: ADA.name, readerBadge: 'Subscriber' });
    // The same request retried is answered with the same token.
    const retry = await login(asTest(), { site: scene.siteId, code: made.body.code });
    expect(retry.body.commenterToken).toBe(res.body.commenterToken);
  });

  it('takes only the site’s key, only valid claims, and only when the site uses SSO', async () => {
    const before = await ssoRows(parley.db);
    expect((await parley.http().post('/api/v1/sso/codes').send(ADA)).status).toBe(401);
    const admin = scene.admin;
    expect((await admin.call('post', '/sso/codes', ADA)).status).toBe(401);
    const bad = await key.call('post', '/sso/codes', { ...ADA, badge: '<script>' });
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'badge']);
    const other = await buildSite(parley.db, { settings: {} });
    const offKey = await apiKey(asTest(), other.id);
    const off = await offKey.call('post', '/sso/codes', ADA);
    expect([off.status, off.body.error.details[0].reason]).toEqual([401, 'sso_disabled']);
    expect(await ssoRows(parley.db)).toEqual(before);
  });
});

describe('managing readers with the site’s sk_ key', () => {
  it('exports everything held about the reader, as /me/export does', async () => {
    const token = await signInAda();
    await parley.http().post(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(token)).send({ body: 'First as a subscriber.' }).expect(201);
    const res = await key.call('get', `/sso/users/${encodeURIComponent(ADA.sub)}/export`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expect(res.body.export.commenter).toMatchObject({ name: ADA.name, email: ADA.email });
    expect(res.body.export.signIn).toMatchObject({ site: scene.siteId, accountId: ADA.sub, badge: 'Subscriber', devicesSignedIn: 1 });
    expect(JSON.stringify(res.body.export)).toContain('First as a subscriber.');
    const mine = await parley.http().get('/api/v1/me/export').set(asReader(token));
    expect(mine.body.export.signIn).toEqual(res.body.export.signIn);
    expect((await key.call('get', '/sso/users/nobody/export')).status).toBe(404);
  });

  it('updates the profile and badge; new comments carry them', async () => {
    const token = await signInAda();
    const res = await key.call('patch', `/sso/users/${encodeURIComponent(ADA.sub)}`, { name: 'Ada Q.', badge: 'Patron' });
    expect(res.status).toBe(200);
    expect(res.body.commenter).toMatchObject({ name: 'Ada Q.', readerBadge: 'Patron' });
    const posted = await parley.http().post(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(token)).send({ body: 'Renamed by the newsroom.' });
    expect(posted.body.comment.author).toEqual({ name: 'Ada Q.', website: null, badge: null, readerBadge: 'Patron' });
    const refused = await key.call('patch', `/sso/users/${encodeURIComponent(ADA.sub)}`, { badge: '<i>x</i>' });
    expect(refused.status).toBe(400);
  });

  it('erases the reader: no row anywhere holds their id, account id, name or email, and their sockets are cut', async () => {
    const token = await signInAda();
    const secondDevice = await signInAda();
    const posted = await parley.http().post(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(token)).send({ body: 'Erase me later.' });
    const commenterId = (await parley.http().get('/api/v1/me').set(asReader(token))).body.commenter.id;
    await key.call('post', '/sso/codes', ADA).expect(201); // a code not yet exchanged holds the claims too
    const sockets = [await liveReader(token), await liveReader(secondDevice)];
    const cut = sockets.map(disconnection);

    const needles = [commenterId, ADA.sub, ADA.name, ADA.email];
    expect((await scanDatabase(parley.db, needles)).length).toBeGreaterThan(0);
    const res = await key.call('delete', `/sso/users/${encodeURIComponent(ADA.sub)}`);
    expect(res.status).toBe(200);
    expect(res.body.erasure).toMatchObject({ erased: true, comments: 1, signInIdentities: 1, signInTokens: 2, signInCodes: 1 });

    expect(await Promise.all(cut)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await scanDatabase(parley.db, needles)).toEqual([]);
    expect(await tableNames(parley.db)).toEqual(expect.arrayContaining(['sso_identities', 'commenter_tokens', 'sso_codes', 'sso_jtis']));
    expect(parley.logs()).not.toContain(ADA.email);
    for (const t of [token, secondDevice]) expect((await parley.http().get('/api/v1/me').set(asReader(t))).status).toBe(401);
    const tombstone = await parley.http().get(`/api/v1/comments/${posted.body.comment.id}`);
    expect(tombstone.body.comment).toMatchObject({ status: 'deleted', author: { name: null } });
    expect((await key.call('delete', `/sso/users/${encodeURIComponent(ADA.sub)}`)).status).toBe(404);
  });

  it('logs the reader out everywhere: every token revoked, every socket cut, the account kept', async () => {
    const phone = await signInAda();
    const laptop = await signInAda();
    await parley.http().post(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(phone)).send({ body: 'Still here after logout.' }).expect(201);
    const sockets = [await liveReader(phone), await liveReader(laptop)];
    const cut = sockets.map(disconnection);
    const res = await key.call('post', `/sso/users/${encodeURIComponent(ADA.sub)}/logout`);
    expect([res.status, res.body.revokedTokens]).toEqual([200, 2]);
    expect(await Promise.all(cut)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const t of [phone, laptop]) expect((await parley.http().get('/api/v1/me').set(asReader(t))).status).toBe(401);
    const page = await parley.http().get(`/api/v1/threads/${scene.threadId}/comments`);
    expect(page.body.items[0].author).toMatchObject({ name: ADA.name, readerBadge: 'Subscriber' });
    // Signing in again is the same reader.
    const again = await signInAda();
    const reread = await parley.http().get(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(again));
    expect(reread.body.items[0].mine).toBe(true);
  });

  it('speaks for its own site only', async () => {
    await signInAda();
    const other = await buildSite(parley.db, { settings: { sso: { mode: 'optional' } as never } });
    await buildThread(parley.db, other.id);
    const otherKey = await apiKey(asTest(), other.id);
    expect((await otherKey.call('get', `/sso/users/${encodeURIComponent(ADA.sub)}/export`)).status).toBe(404);
    expect((await otherKey.call('delete', `/sso/users/${encodeURIComponent(ADA.sub)}`)).status).toBe(404);
    const reader = bearerCaller(asTest(), await signInAda(), 'reader');
    expect((await reader.call('get', `/sso/users/${encodeURIComponent(ADA.sub)}/export`)).status).toBe(401);
  });
});

describe('GET /privacy on a site that signs readers in', () => {
  it('names the account link and the sign-in records, in English and French', async () => {
    const en = await parley.http().get(`/api/v1/privacy?site=${scene.siteId}`);
    expect(en.status).toBe(200);
    expect(en.body.privacy.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining(['account', 'sign_in_records']));
    const fr = await parley.http().get(`/api/v1/privacy?site=${scene.siteId}&lang=fr`);
    expect(fr.body.privacy.items.find((i: { id: string }) => i.id === 'account').title).toMatch(/^Votre compte/);
  });
});

describe('retention', () => {
  it('prunes single-use records once they could no longer be used, and keeps the others', async () => {
    await signInAda();
    await key.call('post', '/sso/codes', ADA).expect(201);
    const past = new Date(Date.now() - 10 * 60_000);
    await parley.db.updateTable('sso_codes').set({ expires_at: past }).execute();
    await parley.db.insertInto('sso_jtis').values({ site_id: scene.siteId, jti_hash: 'old', request_hash: 'x', expires_at: past }).execute();
    const report = await runRetention({ db: parley.db, network: parley.app.deps.network });
    expect(report.sites.find((s: { siteId: string }) => s.siteId === scene.siteId)).toMatchObject({ signInJtis: 1, signInCodes: 1 });
    expect(await parley.db.selectFrom('sso_jtis').select('jti_hash').execute()).toHaveLength(1);
    expect(await parley.db.selectFrom('sso_codes').selectAll().execute()).toEqual([]);
  });
});
