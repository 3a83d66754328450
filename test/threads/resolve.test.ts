import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley();

const resolve = (body: unknown, origin?: string) => {
  const req = parley.http().post('/api/v1/threads/resolve').set('Content-Type', 'application/json');
  return (origin ? req.set('Origin', origin) : req).send(JSON.stringify(body));
};

describe('POST /threads/resolve', () => {
  it('creates a thread for a page on an allowed origin, then returns the same thread', async () => {
    const site = await buildSite(parley.database.db);
    const first = await resolve({ site: site.id, key: 'article-42', url: 'https://news.example/a/42', title: 'Stand-off' }, SITE_ORIGIN);
    expect(first.status).toBe(201);
    expect(first.body.thread).toMatchObject({ siteId: site.id, key: 'article-42', state: 'open', commentCount: 0, seq: 0, title: 'Stand-off' });
    expect(first.headers['access-control-allow-origin']).toBe(SITE_ORIGIN);

    const again = await resolve({ site: site.id, key: 'article-42' }, SITE_ORIGIN);
    expect(again.status).toBe(200);
    expect(again.body.thread.id).toBe(first.body.thread.id);
  });

  it('returns an existing thread to anyone but creates none for an unknown origin', async () => {
    const site = await buildSite(parley.database.db);
    const refused = await resolve({ site: site.id, key: 'article-43' }, 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('origin_not_allowed');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const noOrigin = await resolve({ site: site.id, key: 'article-43' });
    expect(noOrigin.status).toBe(403);
    const rows = await parley.database.db.selectFrom('threads').selectAll().execute();
    expect(rows).toHaveLength(0);
  });

  it('creates one thread when many pages resolve the same key at once', async () => {
    const site = await buildSite(parley.database.db);
    const answers = await Promise.all(Array.from({ length: 8 }, () => resolve({ site: site.id, key: 'hot' }, SITE_ORIGIN)));
    const ids = new Set(answers.map((a) => a.body.thread.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
  });

  it('answers 404 for an unknown site and 400 for bad input, storing nothing', async () => {
    expect((await resolve({ site: 'nope', key: 'k' }, SITE_ORIGIN)).status).toBe(404);
    const site = await buildSite(parley.database.db);
    const bad = await resolve({ site: site.id, key: '', url: 'javascript:alert(1)' }, SITE_ORIGIN);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['key', 'url']);
    expect(await parley.database.db.selectFrom('threads').selectAll().execute()).toHaveLength(0);
  });

  it('accepts a site added elsewhere at once, while the origins it knows are still cached', async () => {
    // The cache now holds the first site's origin only.
    const first = await buildSite(parley.database.db);
    expect((await resolve({ site: first.id, key: 'cached' }, SITE_ORIGIN)).headers['access-control-allow-origin']).toBe(SITE_ORIGIN);
    // A site another instance (or the parley command) adds: nothing tells this process.
    const added = await buildSite(parley.database.db, { origins: ['https://added.example'] });
    const res = await resolve({ site: added.id, key: 'at-once' }, 'https://added.example');
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe('https://added.example');
    // A stranger is still refused, after one more look.
    const stranger = await resolve({ site: added.id, key: 'stranger' }, 'https://stranger.example');
    expect(stranger.status).toBe(403);
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('GET /threads/:id', () => {
  it('returns the thread with its counters and seq', async () => {
    const site = await buildSite(parley.database.db);
    const created = await resolve({ site: site.id, key: 'k1' }, SITE_ORIGIN);
    const res = await parley.http().get(`/api/v1/threads/${created.body.thread.id}`);
    expect(res.status).toBe(200);
    expect(res.body.thread).toMatchObject({ id: created.body.thread.id, commentCount: 0, seq: 0, polls: [] });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await parley.http().get('/api/v1/threads/0000000000000000')).status).toBe(404);
    const bad = await parley.http().get('/api/v1/threads/..%2F..%2Fetc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});
