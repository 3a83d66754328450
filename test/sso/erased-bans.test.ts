import { runRetention } from '../../server/privacy/retention.service';
import { postComment } from '../helpers/factories';
import type { TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';
import { scanDatabase, startPrivacyParley, type PrivacyParley } from '../privacy/helpers';
import { login, signFor, ssoScene, type SsoScene } from './helpers';

/** SPEC §13: an SSO reader's ban survives their erasure as a keyed hash of (site, sub) only; a token reader's does not. */
let parley: PrivacyParley;
let scene: SsoScene;
let key: Awaited<ReturnType<typeof apiKey>>;
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

const BO = { sub: 'acct|9001', name: 'Bo Brouillon', email: 'bo.brouillon@example.org', email_verified: true, badge: 'Subscriber' };
const sub = encodeURIComponent(BO.sub);

async function signInBo(claims: object = BO): Promise<string> {
  const res = await login(asTest(), { site: scene.siteId, token: await signFor(scene, claims as Record<string, unknown>) });
  expect(res.status).toBe(200);
  return res.body.commenterToken;
}

async function banAuthorOf(commentId: string, durationHours: number | null) {
  const res = await scene.admin.call('post', '/moderation/bans', { site: scene.siteId, commentId, durationHours, reason: 'insults' });
  expect(res.status).toBe(201);
  return res.body.ban;
}

describe('erasing a banned reader', () => {
  it('keeps an SSO reader’s ban as a keyed hash only: signing in again with that account is banned again', async () => {
    const token = await signInBo();
    const posted = await postComment(asTest(), scene.threadId, { body: 'Something rude.' }, token);
    await banAuthorOf(posted.body.comment.id, 48);
    const commenterId = (await parley.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body.commenter.id;

    const erased = await key.call('delete', `/sso/users/${sub}`);
    expect(erased.status).toBe(200);
    expect(erased.body.erasure).toMatchObject({ erased: true, signInBansKept: 1, bans: 1 });
    // Nothing of the person: not their ids, name or email; one opaque hash with the ban's end, no reason.
    expect(await scanDatabase(parley.db, [commenterId, BO.sub, BO.name, BO.email])).toEqual([]);
    const kept = await parley.db.selectFrom('sso_erased_bans').selectAll().execute();
    expect(kept).toHaveLength(1);
    expect(Object.keys(kept[0]!).sort()).toEqual(['created_at', 'expires_at', 'site_id', 'sub_hash']);
    expect(kept[0]!.sub_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(kept[0]!.expires_at!.getTime() - Date.now()).toBeGreaterThan(47 * 3600_000);

    // The same account comes back: it may sign in and read, but not post.
    const again = await signInBo();
    const refused = await postComment(asTest(), scene.threadId, { body: 'I am back.' }, again);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'banned']);
    const bans = await scene.admin.call('get', `/moderation/bans?site=${scene.siteId}`);
    expect(bans.body.items).toHaveLength(1);
    expect(bans.body.items[0]).toMatchObject({ active: true, commenter: { name: BO.name } });
    expect(Date.parse(bans.body.items[0].expiresAt)).toBe(kept[0]!.expires_at!.getTime());
    // Another account is not affected.
    const other = await signInBo({ ...BO, sub: 'acct|9002', name: 'Cy' });
    expect((await postComment(asTest(), scene.threadId, { body: 'Fine here.' }, other)).status).toBe(201);
  });

  it('keeps it as well when the reader erases themselves (DELETE /me), and the ban for ever stays for ever', async () => {
    const token = await signInBo();
    const posted = await postComment(asTest(), scene.threadId, { body: 'Rude, then gone.' }, token);
    await banAuthorOf(posted.body.comment.id, null);
    const commenterId = (await parley.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body.commenter.id;

    const erased = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(erased.status).toBe(200);
    expect((await parley.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect(await scanDatabase(parley.db, [commenterId, BO.sub, BO.name, BO.email])).toEqual([]);
    const kept = await parley.db.selectFrom('sso_erased_bans').selectAll().execute();
    expect(kept.map((k) => [k.site_id, k.expires_at])).toEqual([[scene.siteId, null]]);

    const again = await signInBo();
    const refused = await postComment(asTest(), scene.threadId, { body: 'Back for more.' }, again);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'banned']);
  });

  it('keeps nothing when the reader was not banned, or the ban was lifted', async () => {
    const token = await signInBo();
    const posted = await postComment(asTest(), scene.threadId, { body: 'Borderline.' }, token);
    const ban = await banAuthorOf(posted.body.comment.id, null);
    expect((await scene.admin.call('delete', `/moderation/bans/${ban.id}`)).status).toBe(200);
    const erased = await key.call('delete', `/sso/users/${sub}`);
    expect(erased.body.erasure).toMatchObject({ erased: true, signInBansKept: 0 });
    expect(await parley.db.selectFrom('sso_erased_bans').selectAll().execute()).toEqual([]);
    const again = await signInBo();
    expect((await postComment(asTest(), scene.threadId, { body: 'Welcome back.' }, again)).status).toBe(201);
  });

  it('drops an anonymous reader’s ban with them, as before: nothing is kept', async () => {
    const anon = await postComment(asTest(), scene.threadId, { body: 'Anonymous and rude.', name: 'Anon' });
    await banAuthorOf(anon.body.comment.id, null);
    const res = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${anon.body.commenterToken}`);
    expect(res.status).toBe(200);
    expect(await parley.db.selectFrom('sso_erased_bans').selectAll().execute()).toEqual([]);
    expect(await parley.db.selectFrom('bans').selectAll().where('site_id', '=', scene.siteId).execute()).toEqual([]);
  });

  it('forgets the kept ban once it ends: retention prunes it, and a later sign-in is free', async () => {
    const token = await signInBo();
    const posted = await postComment(asTest(), scene.threadId, { body: 'Rude again.' }, token);
    await banAuthorOf(posted.body.comment.id, 1);
    await key.call('delete', `/sso/users/${sub}`).expect(200);
    await parley.db.updateTable('sso_erased_bans').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const report = await runRetention({ db: parley.db, network: parley.app.deps.network });
    expect(report.sites.find((s: { siteId: string }) => s.siteId === scene.siteId)).toMatchObject({ signInBansKept: 1 });
    expect(await parley.db.selectFrom('sso_erased_bans').selectAll().execute()).toEqual([]);
    const again = await signInBo();
    expect((await postComment(asTest(), scene.threadId, { body: 'A fresh start.' }, again)).status).toBe(201);
  });

  it('says so in GET /privacy, in English and French', async () => {
    const en = await parley.http().get(`/api/v1/privacy?site=${scene.siteId}`);
    const item = en.body.privacy.items.find((i: { id: string }) => i.id === 'ban_after_erasure');
    expect(item.what).toMatch(/keyed fingerprint of your .* account id/);
    expect(item.howLong).toMatch(/Until the ban ends/);
    const fr = await parley.http().get(`/api/v1/privacy?site=${scene.siteId}&lang=fr`);
    expect(fr.body.privacy.items.find((i: { id: string }) => i.id === 'ban_after_erasure').howLong).toMatch(/fin de l’exclusion/);
  });
});

describe('email_verified', () => {
  it('is stored from the claim, shown to the reader and the publisher, exported, and lost when the email changes', async () => {
    const token = await signInBo();
    const me = await parley.http().get('/api/v1/sso/users/' + sub + '/export').set('Authorization', `Bearer ${key.secret}`);
    expect(me.body.export.signIn).toMatchObject({ emailVerified: true });
    // A claim of verification without an email verifies nothing.
    const noEmail = await login(asTest(), { site: scene.siteId, token: await signFor(scene, { ...BO, sub: 'acct|2', email: undefined }) });
    expect(noEmail.body.commenter).toMatchObject({ email: null, emailVerified: false });
    // A later token that does not vouch for it any more.
    const unverified = await login(asTest(), { site: scene.siteId, token: await signFor(scene, { ...BO, email_verified: false }) });
    expect(unverified.body.commenter.emailVerified).toBe(false);
    await signInBo();
    // The reader types another email: it is not the one the publisher vouched for.
    const changed = await parley.http().patch('/api/v1/me').set('Authorization', `Bearer ${token}`).send({ email: 'bo@elsewhere.example' });
    expect(changed.status).toBe(200);
    expect((await parley.db.selectFrom('commenters').select('email_verified').where('email', '=', 'bo@elsewhere.example').executeTakeFirstOrThrow()).email_verified).toBe(false);
    // The publisher may set both at once.
    const patched = await key.call('patch', `/sso/users/${sub}`, { email: 'bo@newsroom.example', email_verified: true });
    expect(patched.body.commenter).toMatchObject({ email: 'bo@newsroom.example', emailVerified: true });
    const moved = await key.call('patch', `/sso/users/${sub}`, { email: 'bo@other.example' });
    expect(moved.body.commenter).toMatchObject({ email: 'bo@other.example', emailVerified: false });
  });
});
