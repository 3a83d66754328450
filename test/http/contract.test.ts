import { buildSite, buildThread, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley();

const db = () => parley.database.db;
const commentCount = async () => (await db().selectFrom('comments').selectAll().execute()).length;

/** Sends exact bytes: supertest would re-encode a Buffer as JSON. */
async function raw(path: string, body: string | Buffer, contentType = 'application/json') {
  const res = await fetch(parley.url + path, { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: JSON.parse(text) };
}

describe('the error contract for hostile input', () => {
  let path: string;
  beforeEach(async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    path = `/api/v1/threads/${thread.id}/comments`;
  });

  it.each<[string, string | Buffer, string, number, string]>([
    ['broken JSON', '{"body": ', 'application/json', 400, 'invalid_json'],
    ['a non-JSON content type', 'body=hello', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ['text/plain', '{"body":"hello"}', 'text/plain', 415, 'unsupported_media_type'],
    ['a __proto__ key', '{"body":"hi","__proto__":{"admin":true}}', 'application/json', 400, 'invalid_input'],
    ['a nested constructor key', '{"body":"hi","x":{"constructor":{"prototype":{}}}}', 'application/json', 400, 'invalid_input'],
    ['a NUL byte', '{"body":"hi\\u0000there"}', 'application/json', 400, 'invalid_input'],
    ['a lone surrogate', '{"body":"hi \\ud83d there"}', 'application/json', 400, 'invalid_input'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 'application/json', 400, 'invalid_utf8'],
    ['a latin-1 charset', '{"body":"hi"}', 'application/json; charset=latin1', 415, 'unsupported_charset'],
    ['a JSON array', '[1,2]', 'application/json', 400, 'validation_failed'],
    ['a JSON string', '"hello"', 'application/json', 400, 'invalid_json'],
  ])('refuses %s with a JSON error and stores nothing', async (_name, body, type, status, code) => {
    const res = await raw(path, body, type);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    expect(await commentCount()).toBe(0);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await raw(path, JSON.stringify({ body: 'x'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await commentCount()).toBe(0);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await parley.http().get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('HTTP hygiene', () => {
  it('allows CORS only for origins a site allows', async () => {
    await buildSite(db());
    const ok = await parley.http().options('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe(SITE_ORIGIN);
    expect(ok.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
    const evil = await parley.http().options('/api/v1/threads/resolve').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends security headers, a request id, and no framework banner', async () => {
    const res = await parley.http().get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
  });

  it('reports liveness and readiness', async () => {
    expect((await parley.http().get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await parley.http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });
});
