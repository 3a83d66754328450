import { FLOOD_BUDGETS } from '../../server/limits/flood';
import { startTestParley, type TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';
import { signFor, ssoScene, type SsoScene } from './helpers';

/** Sign-in and exchange codes are limited per network, as other writes are (429 with Retry-After). */
const ADA = { sub: 'acct|1', name: 'Ada' };

function loginFrom(parley: TestParley, address: string, body: object) {
  return parley.http().post('/api/v1/sso/login').set('X-Forwarded-For', address).set('Content-Type', 'application/json').send(body);
}

describe('with rate limits on', () => {
  let parley: TestParley;
  let scene: SsoScene;
  beforeAll(async () => {
    parley = await startTestParley({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => parley.close());
  beforeEach(async () => {
    await parley.reset();
    scene = await ssoScene(parley);
  });

  it('refuses the sign-in after the network’s budget with 429 and Retry-After; another network still signs in', async () => {
    const budget = FLOOD_BUDGETS.signIn.network.points;
    // Refused attempts count too: guessing tokens or codes is what the limit is for.
    for (let i = 0; i < budget - 1; i++) {
      expect((await loginFrom(parley, '203.0.113.7', { site: scene.siteId, code: `sc_guess${i}` })).status).toBe(401);
    }
    expect((await loginFrom(parley, '203.0.113.7', { site: scene.siteId, token: await signFor(scene, ADA) })).status).toBe(200);
    const limited = await loginFrom(parley, '203.0.113.7', { site: scene.siteId, token: await signFor(scene, ADA) });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await loginFrom(parley, '198.51.100.9', { site: scene.siteId, token: await signFor(scene, ADA) })).status).toBe(200);
  });

  it('refuses exchange codes after the network’s budget, storing none', async () => {
    const key = await apiKey(parley, scene.siteId);
    const budget = FLOOD_BUDGETS.signInCode.network.points;
    for (let i = 0; i < budget; i++) {
      const made = await parley.http().post('/api/v1/sso/codes').set('Authorization', `Bearer ${key.secret}`).set('X-Forwarded-For', '192.0.2.50').send({ ...ADA, sub: `acct|${i}` });
      expect(made.status).toBe(201);
    }
    const limited = await parley.http().post('/api/v1/sso/codes').set('Authorization', `Bearer ${key.secret}`).set('X-Forwarded-For', '192.0.2.50').send({ ...ADA, sub: 'acct|over' });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const stored = await parley.database.db.selectFrom('sso_codes').select('sub').execute();
    expect(stored).toHaveLength(budget);
    expect(stored.map((r) => r.sub)).not.toContain('acct|over');
  });
});

describe('with PARLEY_RATE_LIMITS=off', () => {
  let parley: TestParley;
  beforeAll(async () => {
    parley = await startTestParley({ TRUST_PROXY: 'loopback', PARLEY_RATE_LIMITS: 'off' });
  });
  afterAll(() => parley.close());

  it('never answers 429', async () => {
    await parley.reset();
    const scene = await ssoScene(parley);
    for (let i = 0; i <= FLOOD_BUDGETS.signIn.network.points; i++) {
      expect((await loginFrom(parley, '203.0.113.7', { site: scene.siteId, code: `sc_guess${i}` })).status).toBe(401);
    }
    expect((await loginFrom(parley, '203.0.113.7', { site: scene.siteId, token: await signFor(scene, ADA) })).status).toBe(200);
  });
});
