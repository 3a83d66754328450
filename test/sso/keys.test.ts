import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { buildSite } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { apiKey, member } from '../helpers/staff';
import { login, sign, signFor, ssoRows, ssoScene, type SsoScene } from './helpers';

let parley: TestParley;
let scene: SsoScene;
beforeAll(async () => {
  parley = await startTestParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  scene = await ssoScene(parley);
});

const keys = (path = '') => `/sites/${scene.siteId}/sso/keys${path}`;

describe('a site’s sign-in keys (admins)', () => {
  it('shows a generated HS256 secret once, then lists the key with its last use', async () => {
    const list = await scene.admin.call('get', keys());
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ kind: 'secret', alg: 'HS256', kid: scene.kid, lastUsedAt: null, retiredAt: null });
    expect(JSON.stringify(list.body)).not.toContain(scene.secret);
    expect(scene.secret.length).toBeGreaterThanOrEqual(43);

    expect((await login(parley, { site: scene.siteId, token: await signFor(scene) })).status).toBe(200);
    const after = await scene.admin.call('get', keys());
    expect(Date.parse(after.body.items[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('accepts RS256, ES256 and EdDSA public keys as JWK or PEM, each for its own algorithm', async () => {
    for (const [alg, form] of [['RS256', 'pem'], ['ES256', 'jwk'], ['EdDSA', 'pem'], ['EdDSA', 'jwk']] as const) {
      const pair = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
      const kid = `${alg}-${form}`;
      const material = form === 'pem' ? { pem: await exportSPKI(pair.publicKey) } : { jwk: await exportJWK(pair.publicKey) };
      const created = await scene.admin.call('post', keys(), { kind: 'public', alg, kid, ...material });
      expect([kid, created.status]).toEqual([kid, 201]);
      expect(created.body.secret).toBeUndefined();
      const res = await login(parley, { site: scene.siteId, token: await sign(pair.privateKey, { alg, kid }, { aud: scene.siteId, sub: kid }) });
      expect([kid, res.status]).toEqual([kid, 200]);
    }
  });

  it('shows each refused value at its field', async () => {
    const rsa = await generateKeyPair('RS256');
    const privateJwk = await exportJWK(rsa.privateKey);
    const cases: Array<[object, number, string]> = [
      [{ kind: 'public', alg: 'RS256', pem: 'not a key' }, 400, 'pem'],
      [{ kind: 'public', alg: 'ES256', pem: await exportSPKI(rsa.publicKey) }, 400, 'pem'],
      [{ kind: 'public', alg: 'RS256', jwk: privateJwk }, 400, 'jwk'],
      [{ kind: 'public', alg: 'RS256' }, 400, 'jwk'],
      [{ kind: 'public', alg: 'HS256', pem: 'x' }, 400, 'alg'],
      [{ kind: 'secret', kid: scene.kid }, 409, 'kid'],
      [{ kind: 'secret', kid: 'has space' }, 400, 'kid'],
      [{ kind: 'jwks', alg: 'RS256', url: 'ftp://keys.example/jwks' }, 400, 'url'],
      [{ kind: 'magic' }, 400, 'kind'],
    ];
    for (const [body, status, path] of cases) {
      const res = await scene.admin.call('post', keys(), body);
      expect([path, res.status, res.body.error?.details.map((d: { path: string }) => d.path)]).toEqual([path, status, [path]]);
    }
  });

  it('retiring a key stops it at once; the key stays listed as retired', async () => {
    const token = await signFor(scene);
    const id = (await scene.admin.call('get', keys())).body.items[0].id;
    const retired = await scene.admin.call('delete', keys(`/${id}`));
    expect(retired.status).toBe(200);
    expect(retired.body.key.retiredAt).not.toBeNull();
    const res = await login(parley, { site: scene.siteId, token });
    expect(res.body.error.details[0].reason).toBe('unknown_key');
    // Its kid may be used again by a new key.
    expect((await scene.admin.call('post', keys(), { kind: 'secret', kid: scene.kid })).status).toBe(201);
  });

  it('is for the site’s admins only: moderators, other sites’ admins and API keys are refused', async () => {
    const moderator = await member(parley, [[scene.siteId, 'moderator']], 'moderator');
    expect((await moderator.call('get', keys())).status).toBe(403);
    expect((await moderator.call('post', keys(), { kind: 'secret' })).status).toBe(403);
    const elsewhere = await buildSite(parley.database.db);
    const stranger = await member(parley, [[elsewhere.id, 'admin']], 'stranger');
    expect((await stranger.call('get', keys())).status).toBe(404);
    const key = await apiKey(parley, scene.siteId);
    expect((await key.call('post', keys(), { kind: 'secret' })).status).toBe(403);
    expect((await parley.http().get(`/api/v1${keys()}`)).status).toBe(401);
  });
});

describe('keys fetched from the publisher’s JWKS URL', () => {
  let server: http.Server;
  let served: { keys: JWK[] } = { keys: [] };
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/hang') return; // never answers
      if (req.url === '/garbage') return void res.end('<html>definitely not keys</html>');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const jwksUrl = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  it('checks tokens against the fetched set, fetches again on an unknown kid, and records the last use', async () => {
    const one = await generateKeyPair('RS256');
    served = { keys: [{ ...(await exportJWK(one.publicKey)), kid: 'k1', alg: 'RS256' }] };
    const created = await scene.admin.call('post', keys(), { kind: 'jwks', alg: 'RS256', url: jwksUrl('/jwks') });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatchObject({ kind: 'jwks', kid: null, alg: 'RS256', jwksUrl: jwksUrl('/jwks') });
    const first = await login(parley, { site: scene.siteId, token: await sign(one.privateKey, { alg: 'RS256', kid: 'k1' }, { aud: scene.siteId }) });
    expect(first.status).toBe(200);

    // The publisher rotates: a token names a key the cached set does not have yet.
    const two = await generateKeyPair('RS256');
    served = { keys: [...served.keys, { ...(await exportJWK(two.publicKey)), kid: 'k2', alg: 'RS256' }] };
    const before = hits;
    const second = await login(parley, { site: scene.siteId, token: await sign(two.privateKey, { alg: 'RS256', kid: 'k2' }, { aud: scene.siteId }) });
    expect(second.status).toBe(200);
    expect(hits).toBe(before + 1);
    // A known kid is answered from the cache.
    await login(parley, { site: scene.siteId, token: await sign(one.privateKey, { alg: 'RS256', kid: 'k1' }, { aud: scene.siteId }) }).expect(200);
    expect(hits).toBe(before + 1);
    // A kid nobody has: refused, and no new fetch within the cool-down.
    const unknown = await login(parley, { site: scene.siteId, token: await sign(two.privateKey, { alg: 'RS256', kid: 'k3' }, { aud: scene.siteId }) });
    expect(unknown.body.error.details[0].reason).toBe('unknown_key');
    expect(hits).toBe(before + 1);
    // Its algorithm is the one registered: an ES256 token is refused whatever the set holds.
    const ec = await generateKeyPair('ES256');
    const wrongAlg = await login(parley, { site: scene.siteId, token: await sign(ec.privateKey, { alg: 'ES256', kid: 'k1' }, { aud: scene.siteId }) });
    expect(wrongAlg.body.error.details[0].reason).toBe('unknown_key');
    const listed = await scene.admin.call('get', keys());
    expect(listed.body.items.find((k: { kind: string }) => k.kind === 'jwks').lastUsedAt).not.toBeNull();
  });

  it('a JWKS URL that hangs or answers garbage: 401 keys_unreachable within a few seconds, never a 5xx', async () => {
    const pair = await generateKeyPair('RS256');
    for (const path of ['/hang', '/garbage']) {
      await scene.admin.call('post', keys(), { kind: 'jwks', alg: 'RS256', url: jwksUrl(path) }).expect(201);
      const started = Date.now();
      const before = await ssoRows(parley.database.db);
      const res = await login(parley, { site: scene.siteId, token: await sign(pair.privateKey, { alg: 'RS256', kid: 'k1' }, { aud: scene.siteId }) });
      expect([path, res.status, res.body.error.details[0].reason]).toEqual([path, 401, 'keys_unreachable']);
      expect(await ssoRows(parley.database.db)).toEqual(before);
      expect(Date.now() - started).toBeLessThan(10_000);
      const id = (await scene.admin.call('get', keys())).body.items.find((k: { jwksUrl: string }) => k.jwksUrl === jwksUrl(path)).id;
      await scene.admin.call('delete', keys(`/${id}`)).expect(200);
    }
  });
});

describe('JWKS addresses follow the webhook rules', () => {
  let strict: TestParley;
  beforeAll(async () => {
    strict = await startTestParley();
  });
  afterAll(() => strict.close());

  it('refuses http, loopback, private and link-local addresses unless PARLEY_WEBHOOKS_ALLOW_PRIVATE=true', async () => {
    const local = await ssoScene(strict);
    for (const url of ['http://keys.example/jwks', 'https://127.0.0.1/jwks', 'https://10.1.2.3/jwks', 'https://169.254.169.254/latest', 'https://[::1]/jwks', 'https://localhost/jwks']) {
      const res = await local.admin.call('post', `/sites/${local.siteId}/sso/keys`, { kind: 'jwks', alg: 'RS256', url });
      expect([url, res.status, res.body.error.details[0].path]).toEqual([url, 400, 'url']);
    }
    expect((await local.admin.call('post', `/sites/${local.siteId}/sso/keys`, { kind: 'jwks', alg: 'RS256', url: 'https://accounts.news.example/jwks' })).status).toBe(201);
  });
});
