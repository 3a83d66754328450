import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createParley, type ParleyApp } from '../../server/app';
import { configFrom } from '../../server/config';
import { openPostgres } from '../../server/db';
import { captureLog } from '../helpers/logs';

/** What Parley logs at info and above. */
const captured = captureLog('info');

/**
 * A PostgreSQL address where nothing answers: a port we bound and closed. The pool must fail fast
 * into a 503 with Retry-After, never hang a request or crash the process.
 */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('when the database is unreachable', () => {
  let app: ParleyApp;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const port = await deadPort();
    const database = openPostgres({ connectionString: `postgres://postgres@127.0.0.1:${port}/parley` });
    const config = configFrom({ LOG_LEVEL: 'silent', DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/parley` });
    app = await createParley({ config, database, log: captured.log, migrate: false });
    close = async () => {
      await app.close(100);
      await database.close();
    };
  });
  afterAll(() => close());

  it('answers reads and writes with 503 and Retry-After, quickly', async () => {
    const started = Date.now();
    const read = await request(app.server).get('/api/v1/threads/0000000000000000');
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('5');
    expect(read.body.error.code).toBe('database_unavailable');
    const write = await request(app.server)
      .post('/api/v1/threads/0000000000000000/comments')
      .set('Content-Type', 'application/json')
      .send({ body: 'hello' });
    expect(write.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('is alive but not ready', async () => {
    expect((await request(app.server).get('/healthz')).status).toBe(200);
    const ready = await request(app.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBeDefined();
  });

  it('logs each such request as a warning with the cause, not as a bug with a stack', async () => {
    captured.clear();
    const res = await request(app.server).get('/api/v1/threads/0000000000000000').set('X-Request-Id', 'outage-request-01');
    expect(res.status).toBe(503);
    await new Promise((r) => setTimeout(r, 20));
    const mine = captured.lines().filter((l) => l.req?.id === 'outage-request-01');
    expect(mine.map((l) => [l.level, l.msg])).toEqual([
      [40, 'request failed'],
      [40, 'request completed'],
    ]);
    expect(mine[0]).toMatchObject({ code: 'database_unavailable', cause: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(mine)).not.toContain('"stack"');
    expect(mine[1]).toMatchObject({ res: { status: 503 } });
  });
});
