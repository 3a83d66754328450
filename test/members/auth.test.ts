import { sql } from 'kysely';
import { hashSecret } from '../../server/ids';
import { resetPassword } from '../../server/members/member.service';
import { buildSite } from '../helpers/factories';
import { startTestParley, useParley } from '../helpers/parley';
import { addMember, apiKey, sessionCookieOf, signIn } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;
const login = (email: string, password: string) => parley.http().post('/api/v1/auth/login').send({ email, password });

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and returns the member, their sites and a CSRF token', async () => {
    const site = await buildSite(db());
    const m = await addMember(db(), [[site.id, 'moderator']], { name: 'Paul Ducklin' });
    const res = await login(m.email.toUpperCase(), m.password);
    expect(res.status).toBe(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'])[0]!;
    expect(setCookie).toMatch(/^parley_session=ms_[\w-]{32};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    expect(res.body).toEqual({
      member: { id: m.id, email: m.email, name: 'Paul Ducklin', createdAt: expect.any(String) },
      sites: [{ id: site.id, name: 'The Daily Example', role: 'moderator' }],
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(JSON.stringify(res.body)).not.toContain('password');

    // Only a hash of the token is stored.
    const token = sessionCookieOf(res).split('=')[1]!;
    const sessions = await db().selectFrom('member_sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.token_hash).toBe(hashSecret(token));
    expect(JSON.stringify(sessions)).not.toContain(token);

    const me = await parley.http().get('/api/v1/auth/me').set('Cookie', sessionCookieOf(res));
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);
  });

  it('answers a wrong password and an unknown account alike, in comparable time', async () => {
    const m = await addMember(db(), []);
    const wrong = await login(m.email, 'not the password');
    const unknown = await login('nobody@newsroom.example', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    // Both run an argon2 verification: an unknown email is not answered measurably faster.
    // Taken in turns, so a busy machine slows both alike; the median of seven of each.
    const times: Record<'known' | 'missing', number[]> = { known: [], missing: [] };
    for (let i = 0; i < 7; i++) {
      for (const [which, email] of [['known', m.email], ['missing', 'ghost@newsroom.example']] as const) {
        const t = performance.now();
        await login(email, `wrong-${i}`);
        times[which].push(performance.now() - t);
      }
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[3]!;
    expect(median(times.missing)).toBeGreaterThan(median(times.known) / 3);
  });

  it('throttles guessing at one account with 429 and Retry-After, even for the right password, and the same for unknown accounts', async () => {
    const m = await addMember(db(), []);
    for (let i = 0; i < 10; i++) expect((await login(m.email, `guess-${i}`)).status).toBe(401);
    const blocked = await login(m.email, m.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(60);
    expect(blocked.headers['set-cookie']).toBeUndefined();

    for (let i = 0; i < 10; i++) expect((await login('ghost@newsroom.example', `guess-${i}`)).status).toBe(401);
    expect((await login('ghost@newsroom.example', 'again')).status).toBe(429);
  });

  it('throttles one network guessing across many accounts', async () => {
    const m = await addMember(db(), []);
    let status = 0;
    let attempts = 0;
    while (status !== 429 && attempts < 40) {
      status = (await login(`victim-${attempts}@newsroom.example`, 'password123')).status;
      attempts++;
    }
    expect(status).toBe(429);
    expect(attempts).toBe(31);
    // A real account with the right password is refused from that network for now.
    const res = await login(m.email, m.password);
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets parallel guesses through no more than the limit allows', async () => {
    const m = await addMember(db(), []);
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => login(m.email, `parallel-${i}`)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(6);
  });

  it('clears the account count on success', async () => {
    const m = await addMember(db(), []);
    for (let i = 0; i < 9; i++) await login(m.email, `typo-${i}`);
    expect((await login(m.email, m.password)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await login(m.email, `typo-again-${i}`)).status).toBe(401);
  });

  it('refuses malformed input with 400 and a huge password before hashing it', async () => {
    expect((await parley.http().post('/api/v1/auth/login').send({ email: 'x@y' })).status).toBe(400);
    const huge = await login('x@y', 'a'.repeat(10_000));
    expect(huge.status).toBe(400);
  });
});

describe('sessions', () => {
  it('signs out: the cookie is cleared and the session is gone from the database', async () => {
    const m = await addMember(db(), []);
    const staff = await signIn(parley, m.email, m.password);
    const out = await parley.http().post('/api/v1/auth/logout').set('Cookie', staff.cookie).set('X-CSRF-Token', staff.csrf);
    expect(out.status).toBe(204);
    expect(([] as string[]).concat(out.headers['set-cookie'])[0]).toMatch(/parley_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await db().selectFrom('member_sessions').selectAll().execute()).toHaveLength(0);
    expect((await parley.http().get('/api/v1/auth/me').set('Cookie', staff.cookie)).status).toBe(401);
  });

  it('ends a session idle for more than a day', async () => {
    const m = await addMember(db(), []);
    const staff = await signIn(parley, m.email, m.password);
    await db().updateTable('member_sessions').set({ last_seen_at: sql`now() - interval '25 hours'` }).execute();
    const me = await parley.http().get('/api/v1/auth/me').set('Cookie', staff.cookie);
    expect(me.status).toBe(401);
    expect(await db().selectFrom('member_sessions').selectAll().execute()).toHaveLength(0);
  });

  it('changing the password ends the other sessions; a reset ends them all', async () => {
    const m = await addMember(db(), []);
    const laptop = await signIn(parley, m.email, m.password);
    const phone = await signIn(parley, m.email, m.password);
    const change = await laptop.call('post', '/auth/password', { currentPassword: m.password, newPassword: 'a much better passphrase' });
    expect(change.status).toBe(204);
    expect((await phone.call('get', '/auth/me')).status).toBe(401);
    expect((await laptop.call('get', '/auth/me')).status).toBe(200);
    expect((await login(m.email, m.password)).status).toBe(401);
    expect((await login(m.email, 'a much better passphrase')).status).toBe(200);

    const wrong = await laptop.call('post', '/auth/password', { currentPassword: 'nope', newPassword: 'another passphrase' });
    expect(wrong.status).toBe(403);

    const { password } = await resetPassword(db(), m.email);
    expect((await laptop.call('get', '/auth/me')).status).toBe(401);
    expect((await login(m.email, password)).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated write without the token, or with a wrong one, and changes nothing', async () => {
    const site = await buildSite(db());
    const admin = await addMember(db(), [[site.id, 'admin']]);
    const staff = await signIn(parley, admin.email, admin.password);
    const patch = { settings: { maxLinks: 7 } };

    const none = await parley.http().patch(`/api/v1/sites/${site.id}`).set('Cookie', staff.cookie).send(patch);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('csrf_token_invalid');
    const wrong = await parley.http().patch(`/api/v1/sites/${site.id}`).set('Cookie', staff.cookie).set('X-CSRF-Token', 'x'.repeat(43)).send(patch);
    expect(wrong.status).toBe(403);
    // Another member's token does not fit this session.
    const other = await signIn(parley, admin.email, admin.password);
    const foreign = await parley.http().patch(`/api/v1/sites/${site.id}`).set('Cookie', staff.cookie).set('X-CSRF-Token', other.csrf).send(patch);
    expect(foreign.status).toBe(403);
    expect((await db().selectFrom('sites').select('settings').where('id', '=', site.id).executeTakeFirstOrThrow()).settings).not.toHaveProperty('maxLinks');

    // Reads need no token; a write with it goes through.
    expect((await parley.http().get(`/api/v1/sites/${site.id}`).set('Cookie', staff.cookie)).status).toBe(200);
    const ok = await staff.call('patch', `/sites/${site.id}`, patch);
    expect(ok.status).toBe(200);
    expect(ok.body.site.settings.maxLinks).toBe(7);

    // Signing out is a write too.
    expect((await parley.http().post('/api/v1/auth/logout').set('Cookie', staff.cookie)).status).toBe(403);
  });

  it('needs no CSRF token with an API key, and refuses a revoked key', async () => {
    const site = await buildSite(db());
    const key = await apiKey(parley, site.id);
    const thread = await parley.http().post('/api/v1/threads/resolve').set('Authorization', `Bearer ${key.secret}`).send({ site: site.id, key: 'from-the-cms' });
    expect(thread.status).toBe(201);
    await db().updateTable('api_keys').set({ revoked_at: new Date() }).execute();
    const again = await key.call('get', `/moderation/queues?site=${site.id}`);
    expect(again.status).toBe(401);
    const resolve = await parley.http().post('/api/v1/threads/resolve').set('Authorization', `Bearer ${key.secret}`).send({ site: site.id, key: 'another' });
    expect(resolve.status).toBe(401);
  });
});

describe('behind https', () => {
  it('marks the session cookie Secure', async () => {
    const secure = await startTestParley({ PUBLIC_URL: 'https://comments.example' });
    try {
      const m = await addMember(secure.database.db, []);
      const res = await secure.http().post('/api/v1/auth/login').send({ email: m.email, password: m.password });
      expect(res.status).toBe(200);
      expect(([] as string[]).concat(res.headers['set-cookie'])[0]).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });
});
