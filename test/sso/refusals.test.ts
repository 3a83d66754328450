import { CompactSign, exportSPKI, generateKeyPair } from 'jose';
import { newId } from '../../server/ids';
import { startTestParley, type TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';
import { login, sign, signFor, ssoRows, ssoScene, type SsoScene } from './helpers';

let parley: TestParley;
let scene: SsoScene;
beforeAll(async () => {
  parley = await startTestParley();
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  scene = await ssoScene(parley);
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Sends a token, expects a 401 sso_invalid with this reason, and that nothing was stored. */
async function refused(token: string, reason: string, body: object = {}) {
  const before = await ssoRows(parley.database.db);
  const res = await login(parley, { site: scene.siteId, token, ...body });
  expect({ status: res.status, code: res.body.error?.code, reason: res.body.error?.details?.[0]?.reason }).toEqual({ status: 401, code: 'sso_invalid', reason });
  expect(typeof res.body.error.message).toBe('string');
  expect(await ssoRows(parley.database.db)).toEqual(before);
  return res.body.error.details[0];
}

async function addPublicKey(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string) {
  const pair = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
  const pem = await exportSPKI(pair.publicKey);
  const res = await scene.admin.call('post', `/sites/${scene.siteId}/sso/keys`, { kind: 'public', alg, kid, pem });
  expect(res.status).toBe(201);
  return { ...pair, pem };
}

describe('every refused sign-in is a 401 sso_invalid with its reason, and stores nothing', () => {
  it('expired', async () => {
    await refused(await signFor(scene, { iat: now() - 400, exp: now() - 61 }), 'expired');
  });

  it('accepts 60 s of clock skew either way', async () => {
    const res = await login(parley, { site: scene.siteId, token: await signFor(scene, { iat: now() + 50, exp: now() - 50 + 300 }) });
    expect(res.status).toBe(200);
    const late = await login(parley, { site: scene.siteId, token: await signFor(scene, { iat: now() - 300, exp: now() - 30 }) });
    expect(late.status).toBe(200);
  });

  it('issued in the future beyond the skew', async () => {
    await refused(await signFor(scene, { iat: now() + 120, exp: now() + 400 }), 'issued_in_future');
  });

  it('a lifetime longer than the site’s tokenMaxAge', async () => {
    await refused(await signFor(scene, { iat: now(), exp: now() + 3600 }), 'lifetime_too_long');
  });

  it('a replayed jti, even in a token signed again', async () => {
    const jti = newId();
    expect((await login(parley, { site: scene.siteId, token: await signFor(scene, { jti }) })).status).toBe(200);
    const detail = await refused(await signFor(scene, { jti, name: 'Someone else' }), 'replayed');
    expect(detail.path).toBe('jti');
  });

  it('a reused exchange code', async () => {
    const key = await apiKey(parley, scene.siteId);
    const { body } = await key.call('post', '/sso/codes', { sub: 'reader-9', name: 'Nine' });
    const first = await login(parley, { site: scene.siteId, code: body.code });
    expect(first.status).toBe(200);
    // The reader logs out everywhere: the code cannot bring the session back.
    expect((await key.call('post', '/sso/users/reader-9/logout')).status).toBe(200);
    const before = await ssoRows(parley.database.db);
    const again = await login(parley, { site: scene.siteId, code: body.code });
    expect([again.status, again.body.error.details[0].reason]).toEqual([401, 'code_used']);
    expect(await ssoRows(parley.database.db)).toEqual(before);
    const unknown = await login(parley, { site: scene.siteId, code: 'sc_unknown' });
    expect([unknown.status, unknown.body.error.details[0].reason]).toEqual([401, 'expired']);
  });

  it('the wrong audience', async () => {
    await refused(await signFor(scene, { aud: 'another-site' }), 'wrong_audience');
    await refused(await signFor(scene, { aud: undefined }), 'wrong_audience');
  });

  it('the wrong issuer, when the site names one', async () => {
    await scene.admin.call('patch', `/sites/${scene.siteId}`, { settings: { sso: { issuer: 'https://accounts.news.example' } } }).expect(200);
    await refused(await signFor(scene, { iss: 'https://evil.example' }), 'issuer_mismatch');
    await refused(await signFor(scene), 'issuer_mismatch');
    const ok = await login(parley, { site: scene.siteId, token: await signFor(scene, { iss: 'https://accounts.news.example' }) });
    expect(ok.status).toBe(200);
  });

  it('an unknown kid, a missing kid and a retired key', async () => {
    await refused(await sign(scene.secret, { alg: 'HS256', kid: 'nobody' }, { aud: scene.siteId }), 'unknown_key');
    await refused(await sign(scene.secret, { alg: 'HS256' }, { aud: scene.siteId }), 'malformed');
    const list = await scene.admin.call('get', `/sites/${scene.siteId}/sso/keys`);
    await scene.admin.call('delete', `/sites/${scene.siteId}/sso/keys/${list.body.items[0].id}`).expect(200);
    await refused(await signFor(scene), 'unknown_key');
  });

  it('alg none', async () => {
    const token = `${b64({ alg: 'none', kid: scene.kid })}.${b64({ aud: scene.siteId, sub: 'x', jti: newId(), iat: now(), exp: now() + 60 })}.`;
    await refused(token, 'algorithm_not_allowed');
  });

  it('HS256 signed with an RS256 key’s public PEM (algorithm confusion)', async () => {
    const { pem } = await addPublicKey('RS256', 'rsa-1');
    await refused(await sign(pem, { alg: 'HS256', kid: 'rsa-1' }, { aud: scene.siteId }), 'algorithm_not_allowed');
  });

  it('a key registered for ES256 used with RS256', async () => {
    await addPublicKey('ES256', 'ec-1');
    const rsa = await generateKeyPair('RS256');
    await refused(await sign(rsa.privateKey, { alg: 'RS256', kid: 'ec-1' }, { aud: scene.siteId }), 'algorithm_not_allowed');
  });

  it('a bad signature, from a public key and from a shared secret', async () => {
    await addPublicKey('ES256', 'ec-2');
    const other = await generateKeyPair('ES256');
    await refused(await sign(other.privateKey, { alg: 'ES256', kid: 'ec-2' }, { aud: scene.siteId }), 'bad_signature');
    await refused(await sign('not-the-secret', { alg: 'HS256', kid: scene.kid }, { aud: scene.siteId }), 'bad_signature');
    const token = await signFor(scene);
    const [h, , s] = token.split('.');
    await refused(`${h}.${b64({ aud: scene.siteId, sub: 'admin', jti: newId(), iat: now(), exp: now() + 60 })}.${s}`, 'bad_signature');
  });

  it('a malformed JWT', async () => {
    // Correctly signed, but what it signs is not a claims set.
    const notClaims = await new CompactSign(new TextEncoder().encode('not json')).setProtectedHeader({ alg: 'HS256', kid: scene.kid }).sign(new TextEncoder().encode(scene.secret));
    for (const token of ['not-a-jwt', 'a.b.c', notClaims, `${b64({ alg: 'HS256', kid: scene.kid })}.e30.e30.e30.e30`]) {
      await refused(token, 'malformed');
    }
  });

  it('claims of the wrong type or over length, and a badge with markup', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sub: 12345 }, 'sub'],
      [{ sub: 'x'.repeat(256) }, 'sub'],
      [{ name: 'n'.repeat(81) }, 'name'],
      [{ name: ['Ada'] }, 'name'],
      [{ email: 'not an email' }, 'email'],
      [{ website: 'javascript:alert(1)' }, 'website'],
      [{ website: 'https://bank.example@evil.example' }, 'website'],
      [{ website: 'https://a"onmouseover="alert(1)' }, 'website'],
      [{ badge: '<b>VIP</b>' }, 'badge'],
      [{ badge: 'b'.repeat(33) }, 'badge'],
      [{ email_verified: 'yes' }, 'email_verified'],
      [{ jti: undefined }, 'jti'],
      [{ exp: undefined }, 'exp'],
      [{ iat: undefined }, 'iat'],
      [{ iat: 'yesterday' }, 'iat'],
    ];
    for (const [claims, path] of cases) {
      const detail = await refused(await signFor(scene, claims), 'malformed');
      expect([path, detail.path]).toEqual([path, path]);
    }
  });

  it('malformed JSON or a body that is neither token nor code: 400, nothing stored', async () => {
    const before = await ssoRows(parley.database.db);
    const broken = await parley.http().post('/api/v1/sso/login').set('Content-Type', 'application/json').send('{"site": ');
    expect([broken.status, broken.body.error.code]).toEqual([400, 'invalid_json']);
    for (const body of [{ site: scene.siteId }, { site: scene.siteId, token: 'a', code: 'b' }, { site: scene.siteId, token: 42 }, { site: scene.siteId, token: 't', extra: 1 }]) {
      const res = await login(parley, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    }
    expect(await ssoRows(parley.database.db)).toEqual(before);
  });
});
