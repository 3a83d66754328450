import { hashSecret } from '../../server/ids';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { addMember, apiKey, bearerCaller, member, signIn } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

describe('sites', () => {
  it('an admin creates a site and administers it; the id must be free', async () => {
    const home = await buildSite(db());
    const admin = await member(parley, [[home.id, 'admin']], 'admin');
    const res = await admin.call('post', '/sites', { id: 'daily-example', name: 'The Daily Example', origins: ['https://daily.example'] });
    expect(res.status).toBe(201);
    expect(res.body.site).toMatchObject({ id: 'daily-example', origins: ['https://daily.example'], settings: { moderation: 'post', maxLinks: 2 } });
    const me = await admin.call('get', '/auth/me');
    expect(me.body.sites).toContainEqual({ id: 'daily-example', name: 'The Daily Example', role: 'admin' });
    expect((await admin.call('post', '/sites', { id: 'daily-example', name: 'Again' })).status).toBe(409);
    expect((await admin.call('post', '/sites', { id: 'Bad Id', name: 'x' })).status).toBe(400);
  });

  it('changes only the settings sent, validates them, and refuses unknown ones', async () => {
    const site = await buildSite(db(), { settings: { maxLinks: 5, heldWords: ['lawsuit'] } });
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const res = await admin.call('patch', `/sites/${site.id}`, { settings: { moderation: 'first_time', blockedWords: [' crooks ', 'crooks', 'con artists'] } });
    expect(res.status).toBe(200);
    expect(res.body.site.settings).toMatchObject({ moderation: 'first_time', maxLinks: 5, heldWords: ['lawsuit'], blockedWords: ['crooks', 'con artists'] });

    const bad = await admin.call('patch', `/sites/${site.id}`, { settings: { maxLinks: -1, maxLinkz: 3, moderation: 'sometimes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['settings', 'settings.maxLinks', 'settings.moderation']);
    const words = await admin.call('patch', `/sites/${site.id}`, { settings: { heldWords: ['ok', '!!!'] } });
    expect(words.status).toBe(400);
    expect(words.body.error.details).toEqual([{ path: 'settings.heldWords.1', message: 'must contain a letter or digit' }]);
    const long = await admin.call('patch', `/sites/${site.id}`, { settings: { blockedWords: Array.from({ length: 1001 }, (_, i) => `w${i}`) } });
    expect(long.status).toBe(400);
    expect((await admin.call('get', `/sites/${site.id}`)).body.site.settings.heldWords).toEqual(['lawsuit']);
  });

  it('new word lists apply to the next comment, evasions included', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    await admin.call('patch', `/sites/${site.id}`, { settings: { blockedWords: ['halfway'], heldWords: ['fine print'] } }).expect(200);
    const cases: Array<[string, string]> = [
      ['We met <b>half</b>way', 'rejected'],
      ['We met half\u200dway', 'rejected'],
      ['We met ＨＡＬＦＷＡＹ', 'rejected'],
      ['Read the ﬁne print', 'pending'],
      ['Read the *fine* print', 'pending'],
      ['We met in the middle', 'approved'],
    ];
    for (const [body, status] of cases) {
      const res = await postComment(parley, thread.id, { body });
      expect([body, res.status, res.body.comment.status]).toEqual([body, 201, status]);
    }
  });

  it('a new origin is allowed at once, and removing it stops new threads from it', async () => {
    const site = await buildSite(db(), { origins: [] });
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const resolve = () => parley.http().post('/api/v1/threads/resolve').set('Origin', 'https://daily.example').send({ site: site.id, key: `k-${Math.random()}` });
    expect((await resolve()).status).toBe(403);
    await admin.call('patch', `/sites/${site.id}`, { origins: ['https://daily.example'] }).expect(200);
    const ok = await resolve();
    expect(ok.status).toBe(201);
    expect(ok.headers['access-control-allow-origin']).toBe('https://daily.example');
    await admin.call('patch', `/sites/${site.id}`, { origins: [] }).expect(200);
    expect((await resolve()).status).toBe(403);
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, listed without the secret, and revocable', async () => {
    const site = await buildSite(db());
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const created = await admin.call('post', `/sites/${site.id}/keys`, { name: 'Newsroom CMS' });
    expect(created.status).toBe(201);
    const { secret, key } = created.body;
    expect(secret).toMatch(/^sk_[\w-]{32}$/);
    const row = await db().selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(7));

    const list = await admin.call('get', `/sites/${site.id}/keys`);
    expect(list.body.items).toEqual([expect.objectContaining({ id: key.id, name: 'Newsroom CMS', prefix: secret.slice(0, 7), revokedAt: null })]);
    expect(JSON.stringify(list.body)).not.toContain(secret);

    const cms = bearerCaller(parley, secret, 'cms');
    expect((await cms.call('get', `/moderation/queues?site=${site.id}`)).status).toBe(200);
    const revoked = await admin.call('delete', `/sites/${site.id}/keys/${key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).toEqual(expect.any(String));
    expect((await cms.call('get', `/moderation/queues?site=${site.id}`)).status).toBe(401);
    expect((await admin.call('delete', `/sites/${site.id}/keys/0000000000000000`)).status).toBe(404);
  });
});

describe('site members', () => {
  it('an admin adds a new member (who sets a password through a one-time link), changes roles, and removes them', async () => {
    const site = await buildSite(db());
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const added = await admin.call('post', `/sites/${site.id}/members`, { email: 'Paul@Newsroom.example', role: 'journalist', name: 'Paul Ducklin' });
    expect(added.status).toBe(201);
    expect(added.body.member).toEqual({ id: expect.any(String), email: 'paul@newsroom.example', role: 'journalist' });
    const token = /#set-password=(.+)$/.exec(added.body.setPasswordUrl)![1]!;
    expect(added.body.setPasswordUrl).toBe(`http://parley.test/moderate#set-password=${token}`);
    const set = await parley.http().post('/api/v1/auth/set-password').send({ token, password: 'a long first passphrase' });
    expect(set.status).toBe(204);
    const paul = await signIn(parley, 'paul@newsroom.example', 'a long first passphrase');
    expect((await paul.call('get', '/auth/me')).body).toMatchObject({ member: { name: 'Paul Ducklin' }, sites: [{ id: site.id, name: 'The Daily Example', role: 'journalist' }] });

    const promoted = await admin.call('post', `/sites/${site.id}/members`, { email: 'paul@newsroom.example', role: 'moderator' });
    expect(promoted.status).toBe(201);
    expect(promoted.body.password).toBeUndefined();
    const list = await admin.call('get', `/sites/${site.id}/members`);
    expect(list.body.items.map((m: { email: string; role: string }) => [m.email, m.role]).sort()).toEqual([
      [admin.email, 'admin'],
      ['paul@newsroom.example', 'moderator'],
    ].sort());

    expect((await admin.call('delete', `/sites/${site.id}/members/${added.body.member.id}`)).status).toBe(204);
    expect((await paul.call('get', `/moderation/queues?site=${site.id}`)).status).toBe(404);
    const actions = (await db().selectFrom('moderation_log').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['member.add', 'member.role_change', 'member.remove']);
  });

  it('answers the same whether or not the email already had an account, and a link never takes one over', async () => {
    const site = await buildSite(db());
    const elsewhere = await buildSite(db());
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const veteran = await addMember(db(), [[elsewhere.id, 'admin']], { email: 'veteran@newsroom.example' });
    const shape = (res: { status: number; body: Record<string, any> }) => ({
      status: res.status,
      keys: Object.keys(res.body).sort(),
      member: Object.keys(res.body.member).sort(),
      url: res.body.setPasswordUrl.replace(/set-password=[\w-]+$/, 'set-password=…'),
      expiresIn: Math.round((Date.parse(res.body.expiresAt) - Date.now()) / 3600_000),
    });
    const fresh = await admin.call('post', `/sites/${site.id}/members`, { email: 'newcomer@newsroom.example', role: 'moderator' });
    const known = await admin.call('post', `/sites/${site.id}/members`, { email: 'veteran@newsroom.example', role: 'moderator' });
    expect(shape(known)).toEqual(shape(fresh));
    expect(known.body.setPasswordUrl).not.toBe(fresh.body.setPasswordUrl);

    // The existing account's link cannot set its password: its owner signs in as before.
    const token = /#set-password=(.+)$/.exec(known.body.setPasswordUrl)![1]!;
    const takeover = await parley.http().post('/api/v1/auth/set-password').send({ token, password: 'the admin chose this one' });
    expect(takeover.status).toBe(410);
    expect(takeover.body.error.code).toBe('link_expired');
    expect((await parley.http().post('/api/v1/auth/login').send({ email: veteran.email, password: 'the admin chose this one' })).status).toBe(401);
    expect((await parley.http().post('/api/v1/auth/login').send({ email: veteran.email, password: veteran.password })).status).toBe(200);

    // A new account's link works once, and a new account cannot sign in before it is used.
    const first = /#set-password=(.+)$/.exec(fresh.body.setPasswordUrl)![1]!;
    expect((await parley.http().post('/api/v1/auth/set-password').send({ token: first, password: 'short' })).status).toBe(400);
    expect((await parley.http().post('/api/v1/auth/set-password').send({ token: first, password: 'newcomer passphrase' })).status).toBe(204);
    expect((await parley.http().post('/api/v1/auth/set-password').send({ token: first, password: 'someone else again' })).status).toBe(410);
    expect((await parley.http().post('/api/v1/auth/login').send({ email: 'newcomer@newsroom.example', password: 'newcomer passphrase' })).status).toBe(200);
  });

  it('never leaves a site without an admin', async () => {
    const site = await buildSite(db());
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const demote = await admin.call('post', `/sites/${site.id}/members`, { email: admin.email, role: 'moderator' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_admin');
    expect((await admin.call('delete', `/sites/${site.id}/members/${admin.id}`)).status).toBe(409);
  });
});

describe('the audit log', () => {
  it('records who did what, newest first, page by page, for one site', async () => {
    const site = await buildSite(db());
    const other = await buildSite(db());
    const admin = await member(parley, [[site.id, 'admin'], [other.id, 'admin']], 'admin', { name: 'Ada Admin' });
    const key = await apiKey(parley, site.id, 'cms');
    await admin.call('patch', `/sites/${site.id}`, { settings: { maxLinks: 3 } }).expect(200);
    await admin.call('patch', `/sites/${other.id}`, { settings: { maxLinks: 4 } }).expect(200);
    const thread = await buildThread(db(), site.id);
    await key.call('patch', `/threads/${thread.id}`, { state: 'closed' }).expect(200);
    await admin.call('post', `/sites/${site.id}/keys`, { name: 'second' }).expect(201);

    const page1 = await admin.call('get', `/moderation/log?site=${site.id}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((e: { action: string; actor: { type: string; name: string } }) => [e.action, e.actor.type, e.actor.name])).toEqual([
      ['key.create', 'member', 'Ada Admin'],
      ['thread.close', 'key', 'CMS'],
    ]);
    const page2 = await admin.call('get', `/moderation/log?site=${site.id}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((e: { action: string }) => e.action)).toEqual(['site.update']);
    expect(page2.body.items[0].details).toEqual({ changed: ['settings.maxLinks'] });
    expect(page2.body.nextCursor).toBeNull();
  });
});
