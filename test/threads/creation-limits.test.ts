import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';

/** Creating threads through an Origin: a page's own url, and a budget of new threads per network. */
const parley = useParley();

const db = () => parley.database.db;
const resolve = (body: unknown, headers: Record<string, string> = { Origin: SITE_ORIGIN }) =>
  parley.http().post('/api/v1/threads/resolve').set('Content-Type', 'application/json').set(headers).send(JSON.stringify(body));
const threadKeys = async () => (await db().selectFrom('threads').select('key').orderBy('key').execute()).map((t) => t.key);

describe('creating threads through an Origin', () => {
  it('needs the thread’s url on one of the site’s origins; an API key may link anywhere', async () => {
    const site = await buildSite(db(), { origins: [SITE_ORIGIN, 'https://amp.news.example'] });
    const elsewhere = await resolve({ site: site.id, key: 'a-1', url: 'https://spam.example/buy-now', title: 'Buy now' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe('url_not_allowed');
    // A look-alike host or userinfo trick is another origin too.
    const lookalike = await resolve({ site: site.id, key: 'a-1', url: 'https://news.example.spam.example/a' });
    expect(lookalike.status).toBe(403);
    expect(await threadKeys()).toEqual([]);

    expect((await resolve({ site: site.id, key: 'a-1', url: `${SITE_ORIGIN}/a/1` })).status).toBe(201);
    expect((await resolve({ site: site.id, key: 'a-2', url: 'https://amp.news.example/a/2' })).status).toBe(201);
    const key = await apiKey(parley, site.id);
    const fromCms = await resolve({ site: site.id, key: 'a-3', url: 'https://syndication.example/a/3' }, { Authorization: `Bearer ${key.secret}` });
    expect(fromCms.status).toBe(201);
    expect(fromCms.body.thread.url).toBe('https://syndication.example/a/3');
    expect(await threadKeys()).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('creates at most 20 new threads per network per site per hour, and still resolves existing ones', async () => {
    const site = await buildSite(db());
    const other = await buildSite(db());
    for (let i = 0; i < 20; i++) {
      expect((await resolve({ site: site.id, key: `k-${i}`, url: `${SITE_ORIGIN}/${i}` })).status).toBe(201);
    }
    const flood = await resolve({ site: site.id, key: 'k-20', url: `${SITE_ORIGIN}/20` });
    expect(flood.status).toBe(429);
    expect(flood.body.error.code).toBe('rate_limited');
    expect(Number(flood.headers['retry-after'])).toBeGreaterThan(3000);
    expect(await db().selectFrom('threads').select('id').where('key', '=', 'k-20').execute()).toHaveLength(0);

    // Readers of existing articles are not affected, nor is another site, nor the site's own server.
    const existing = await resolve({ site: site.id, key: 'k-7' });
    expect(existing.status).toBe(200);
    expect(existing.body.thread.key).toBe('k-7');
    expect((await resolve({ site: other.id, key: 'k-20', url: `${SITE_ORIGIN}/20` })).status).toBe(201);
    const key = await apiKey(parley, site.id);
    expect((await resolve({ site: site.id, key: 'k-20' }, { Authorization: `Bearer ${key.secret}` })).status).toBe(201);
  });
});
