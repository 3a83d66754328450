import { buildSite, buildThread, SITE_ORIGIN } from '../helpers/factories';
import { captureLog } from '../helpers/logs';
import { startTestParley, type TestParley } from '../helpers/parley';

/** Every line Parley logs, at info and above. */
const captured = captureLog('info');
const lines = () => captured.lines();

let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley({}, { log: captured.log });
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  captured.clear();
});

const db = () => parley.database.db;
const answered = () => lines().filter((l) => l.msg === 'request completed');

/** Log lines are written when the answer has been sent: give the finish event its turn. */
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('request logs', () => {
  it('log one line per answer: id, method, path without its query, status and time — nothing about the reader', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const res = await parley
      .http()
      .post(`/api/v1/threads/${thread.id}/comments?utm_source=secret-campaign`)
      .set('Origin', SITE_ORIGIN)
      .set('X-Request-Id', 'reader-request-0001')
      .set('User-Agent', 'TellTale/1.0')
      .send({ body: 'How would I resolve the stand-off? Pay the bounty and publish the report.', name: 'Duck', email: 'duck@example.org' });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('reader-request-0001');
    expect(res.body.commenterToken).toEqual(expect.any(String));
    await settle();

    expect(answered()).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'parley',
        req: { id: 'reader-request-0001', method: 'POST', path: `/api/v1/threads/${thread.id}/comments` },
        res: { status: 201 },
        responseTime: expect.any(Number),
      }),
    ]);
    const written = captured.text();
    for (const secret of ['secret-campaign', 'TellTale', 'duck@example.org', '127.0.0.1', res.body.commenterToken]) {
      expect(written).not.toContain(secret);
    }
  });

  it('give a request without a usable X-Request-Id an id of its own, and tie a refusal to it', async () => {
    const res = await fetch(`${parley.url}/api/v1/threads/none/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'bad id!' },
      body: '{"body": ',
    });
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await settle();

    const refused = lines().find((l) => l.msg === 'request refused');
    expect(refused).toMatchObject({ level: 30, code: 'invalid_json', req: { id, method: 'POST', path: '/api/v1/threads/none/comments' } });
    expect(answered()).toEqual([expect.objectContaining({ req: expect.objectContaining({ id }), res: { status: 400 } })]);
  });

  it('leave health checks out, so a load balancer polling them does not fill the log', async () => {
    expect((await fetch(`${parley.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${parley.url}/api/v1/openapi.json`)).status).toBe(200);
    await settle();
    expect(answered().map((l) => l.req.path)).toEqual(['/api/v1/openapi.json']);
  });
});

describe('request logs below their level', () => {
  it('write nothing for answers when the level is warn, but still name each request', async () => {
    const quiet = captureLog('warn');
    const other = await startTestParley({}, { keepData: true, log: quiet.log });
    try {
      const res = await fetch(`${other.url}/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await settle();
      expect(quiet.text()).toBe('');
    } finally {
      await other.close();
    }
  });
});
