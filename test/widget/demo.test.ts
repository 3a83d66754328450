import { ensureDemo } from '../../server/seed/demo';
import { startTestParley, type TestParley } from '../helpers/parley';

let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley();
  await ensureDemo(parley.app.deps, parley.origin);
});
afterAll(() => parley.close());

describe('/demo', () => {
  it('serves the seed article with the widget, under a strict policy', async () => {
    const res = await parley.http().get('/demo');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('https:');
    expect(res.text).toContain('Zut alors! Raclage crapuleux! Clearview AI in 20% more trouble in France');
    expect(res.text).toContain('<div data-parley data-site="demo" data-key="naked-security-clearview"');
    expect(res.text).toContain('<script src="/embed.js" async></script>');
    expect(res.text).toContain('<span data-parley-count data-site="demo" data-key="naked-security-clearview">');
    // Everything it references is its own.
    for (const [, url] of res.text.matchAll(/(?:src|href)="([^"]+)"/g)) {
      if (url!.startsWith('http')) expect(url).toBe('https://nakedsecurity.sophos.com/2023/05/17/zut-alors-raclage-crapuleux-clearview-ai-in-20-more-trouble-in-france/');
      else expect(url!.startsWith('/') || url!.startsWith('#')).toBe(true);
    }
    expect(res.text).not.toMatch(/<script>|<style>|style="/);
  });

  it('switches the page language and the widget theme from the address', async () => {
    const res = await parley.http().get('/demo?lang=fr&theme=dark');
    expect(res.text).toContain('<html lang="fr" data-theme="dark">');
    expect(res.text).toContain('data-theme="dark"></div>');
    const odd = await parley.http().get('/demo?lang=<x>&theme="');
    expect(odd.text).toContain('<html lang="en" data-theme="auto">');
  });

  it('serves its stylesheet', async () => {
    const res = await parley.http().get('/demo/demo.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
  });
});

describe('seeding the demo', () => {
  it('happens once when several instances start at once on a fresh database', async () => {
    await parley.reset();
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureDemo(parley.app.deps, parley.origin)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const db = parley.database.db;
    expect(await db.selectFrom('threads').select('id').where('site_id', '=', 'demo').execute()).toHaveLength(1);
    expect(await db.selectFrom('polls').select('id').where('site_id', '=', 'demo').execute()).toHaveLength(1);
    // A later start with another public address adds it to the demo's origins.
    await ensureDemo(parley.app.deps, 'https://comments.example');
    const site = await db.selectFrom('sites').select('origins').where('id', '=', 'demo').executeTakeFirstOrThrow();
    expect(site.origins).toEqual([parley.origin, 'https://comments.example']);
  });
});
