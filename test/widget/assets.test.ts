import zlib from 'node:zlib';
import { buildWidget } from '../../client/build';
import { BUDGET_BYTES, OPTIONAL_BUDGET_BYTES } from '../../client/size';
import { startTestParley, type TestParley } from '../helpers/parley';

let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley();
});
afterAll(() => parley.close());

describe('the widget’s scripts', () => {
  it.each(['/embed.js', '/count.js'])('serves %s as cacheable, cross-origin JavaScript', async (path) => {
    const res = await parley.http().get(path).set('Accept-Encoding', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    expect(res.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text.length).toBeGreaterThan(1000);
    // Minified: no source comments, no indentation.
    expect(res.text).not.toMatch(/\n {2}/);

    const again = await parley.http().get(path).set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
  });

  it('sends the precompressed file the browser asks for', async () => {
    const plain = await parley.http().get('/embed.js').set('Accept-Encoding', 'identity');
    const gz = await parley.http().get('/embed.js').set('Accept-Encoding', 'gzip').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    // supertest decompresses transparently; the body must equal the plain file.
    expect(Buffer.from(gz.body as Buffer).toString()).toBe(plain.text);
    const br = await parley.http().get('/embed.js').set('Accept-Encoding', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
  });

  it('serves the live-updates module under a content-hashed name, immutable, and counts it in the budget', async () => {
    const build = await buildWidget();
    const live = [...build.assets.keys()].find((p) => /^\/widget\/live\.[\w-]+\.js$/.test(p))!;
    expect(live).toBeDefined();
    // embed.js imports it by that name after first paint.
    expect(build.assets.get('/embed.js')!.body.toString()).toContain(live);
    const res = await parley.http().get(live).set('Accept-Encoding', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    // WebSocket only: the long-polling transport is not shipped.
    expect(res.text).not.toContain('xhr poll error');
    const sum = ['/embed.js', live].reduce((n, p) => n + build.assets.get(p)!.gzip.length, 0);
    expect(build.budgetBytes).toBe(sum);
  });

  it('answers 404 in JSON for a script that does not exist', async () => {
    const res = await parley.http().get('/widget/nothing.js');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it(`keeps everything a thread page needs within ${BUDGET_BYTES / 1024} KB gzipped`, async () => {
    const build = await buildWidget();
    const embed = build.assets.get('/embed.js')!;
    expect(zlib.gunzipSync(embed.gzip).equals(embed.body)).toBe(true);
    expect(build.budgetBytes).toBeGreaterThanOrEqual(embed.gzip.length);
    expect(build.budgetBytes).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it(`serves sign-in as its own module of at most ${OPTIONAL_BUDGET_BYTES / 1024} KB gzipped, outside the thread page's budget`, async () => {
    const build = await buildWidget();
    const sso = build.optional.find((a) => /^\/widget\/sso\.[\w-]+\.js$/.test(a.path))!;
    expect(sso.gzip.length).toBeLessThanOrEqual(OPTIONAL_BUDGET_BYTES);
    // Its words are not in embed.js: a site without sign-in never downloads them.
    expect(build.assets.get('/embed.js')!.body.toString()).not.toContain('Signed in as');
    const res = await parley.http().get(sso.path);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });

  it(`serves the mail-notification choice as its own module of at most ${OPTIONAL_BUDGET_BYTES / 1024} KB gzipped`, async () => {
    const build = await buildWidget();
    const notify = build.optional.find((a) => /^\/widget\/notify\.[\w-]+\.js$/.test(a.path))!;
    expect(notify.gzip.length).toBeLessThanOrEqual(OPTIONAL_BUDGET_BYTES);
    // Its words are not in embed.js: a server that sends no mail never has them downloaded.
    expect(build.assets.get('/embed.js')!.body.toString()).not.toContain('Notify me of new comments by email');
    expect(build.assets.get('/embed.js')!.body.toString()).toContain(notify.path);
    const res = await parley.http().get(notify.path);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });
});

describe('POST /api/v1/preview', () => {
  it('renders the text exactly as a posted comment, and stores nothing', async () => {
    const res = await parley
      .http()
      .post('/api/v1/preview')
      .set('Content-Type', 'application/json')
      .send({ body: '**Bold** <script>alert(1)</script>\n> quoted\n\n[x](javascript:alert(1))' });
    expect(res.status).toBe(200);
    expect(res.body.bodyHtml).toContain('<strong>Bold</strong>');
    expect(res.body.bodyHtml).toContain('&lt;script&gt;');
    expect(res.body.bodyHtml).toContain('<blockquote>');
    expect(res.body.bodyHtml).not.toMatch(/href="javascript/);
    const rows = await parley.database.db.selectFrom('comments').select('id').execute();
    expect(rows).toHaveLength(0);
  });

  it('refuses an empty body with the usual error shape', async () => {
    const res = await parley.http().post('/api/v1/preview').set('Content-Type', 'application/json').send({ body: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'body', message: 'must not be empty' }] });
  });
});
