import { up as cleanStoredWebsites } from '../../db/migrations/014_strict_websites';
import { buildComment, buildCommenter, buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';

/** A reader's website and name, as third parties copy them from `author` into their own pages. */
const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

describe('websites', () => {
  it('refuses hosts that are not domain names or IP addresses, and user names; stores the serialised address', async () => {
    const thread = await buildThread(db(), (await buildSite(db())).id);
    for (const website of ['https://a"onmouseover="alert(1)', 'https://bank.example@evil.example', 'https://user:pw@news.example/', 'https://a_b..example', 'https://localhost/', 'javascript:alert(1)']) {
      const res = await postComment(parley, thread.id, { body: 'My site', website });
      expect([website, res.status, res.body.error?.code, res.body.error?.details?.[0]?.path]).toEqual([website, 400, 'validation_failed', 'website']);
    }
    expect(await db().selectFrom('comments').select('id').execute()).toHaveLength(0);
    expect(await db().selectFrom('commenters').select('id').execute()).toHaveLength(0);

    const cases: Array<[string, string]> = [
      ['https://a.com/<script>', 'https://a.com/%3Cscript%3E'],
      ['HTTPS://Bücher.Example/Ä?q="x"', 'https://xn--bcher-kva.example/%C3%84?q=%22x%22'],
      ['http://192.0.2.7:8080/me', 'http://192.0.2.7:8080/me'],
      ['http://[2001:db8::1]/', 'http://[2001:db8::1]/'],
    ];
    for (const [typed, stored] of cases) {
      const res = await postComment(parley, thread.id, { body: `Site ${typed}`, website: typed });
      expect([typed, res.status, res.body.comment.author.website]).toEqual([typed, 201, stored]);
    }
    const token = (await postComment(parley, thread.id, { body: 'and me' })).body.commenterToken;
    const me = (body: unknown) => parley.http().patch('/api/v1/me').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect((await me({ website: 'https://bank.example@evil.example' })).status).toBe(400);
    expect((await me({ website: 'https://news.example/<b>' })).body.commenter.website).toBe('https://news.example/%3Cb%3E');
  });

  it('clears stored websites that fail the check and serialises the rest (migration)', async () => {
    const thread = await buildThread(db(), (await buildSite(db())).id);
    const bad = await buildCommenter(db());
    const good = await buildCommenter(db());
    await db().updateTable('commenters').set({ website: 'https://a"onmouseover="alert(1)' }).where('id', '=', bad.id).execute();
    await db().updateTable('commenters').set({ website: 'https://a.com/<script>' }).where('id', '=', good.id).execute();
    const c1 = await buildComment(db(), thread, { commenterId: bad.id, status: 'approved' });
    const c2 = await buildComment(db(), thread, { commenterId: good.id, status: 'approved' });
    await db().updateTable('comments').set({ author_website: 'https://bank.example@evil.example' }).where('id', '=', c1.id).execute();
    await db().updateTable('comments').set({ author_website: 'https://a.com/<script>' }).where('id', '=', c2.id).execute();

    await cleanStoredWebsites(db());

    const page = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    const websites = Object.fromEntries(page.body.items.map((c: any) => [c.id, c.author.website]));
    expect(websites).toEqual({ [c1.id]: null, [c2.id]: 'https://a.com/%3Cscript%3E' });
    const commenters = await db().selectFrom('commenters').select(['id', 'website']).where('id', 'in', [bad.id, good.id]).execute();
    expect(Object.fromEntries(commenters.map((c) => [c.id, c.website]))).toEqual({ [bad.id]: null, [good.id]: 'https://a.com/%3Cscript%3E' });
  });
});

describe('names', () => {
  it('drops bidi overrides, zero-width and tag characters from names', async () => {
    const thread = await buildThread(db(), (await buildSite(db())).id);
    const typed = 'Ali\u202Ece\u200B \u2066Admin\u2069\u{E0041}\u{E0064}';
    const res = await postComment(parley, thread.id, { body: 'Hello', name: typed });
    expect(res.status).toBe(201);
    expect(res.body.comment.author.name).toBe('Alice Admin');
    const row = await db().selectFrom('commenters').select('name').executeTakeFirstOrThrow();
    expect(row.name).toBe('Alice Admin');
    const me = await parley.http().patch('/api/v1/me').set('Authorization', `Bearer ${res.body.commenterToken}`).set('Content-Type', 'application/json').send(JSON.stringify({ name: '\u200B\u202E' }));
    expect(me.status).toBe(200);
    expect(me.body.commenter.name).toBeNull();
  });
});
