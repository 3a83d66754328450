import { startTestParley, type TestParley } from '../helpers/parley';

let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley();
});
afterAll(() => parley.close());

describe('/moderate', () => {
  it('serves an empty shell that loads only its own script and stylesheet, under a strict policy', async () => {
    const res = await parley.http().get('/moderate');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    // Nothing inline, nothing from elsewhere: every src and href is a path on Parley itself.
    expect(res.text).not.toMatch(/<script>|<style>|\son\w+=/);
    const urls = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    // (The icon is empty and inline, so the browser does not ask for /favicon.ico.)
    expect(urls).toEqual(['data:,', '/moderate/app.css', '/moderate/app.js']);
  });

  it.each([
    ['/moderate/app.js', 'text/javascript; charset=utf-8'],
    ['/moderate/app.css', 'text/css; charset=utf-8'],
  ])('serves %s same-origin, revalidated by its ETag', async (path, type) => {
    const res = await parley.http().get(path).set('Accept-Encoding', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.text.length).toBeGreaterThan(1000);
    const again = await parley.http().get(path).set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
  });
});
