import net from 'node:net';
import { startTestParley, type TestParley } from '../helpers/parley';

/** Requests Node refuses before any route runs still get SPEC §7's JSON error. */
let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley();
});
afterAll(() => parley.close());

/** Sends raw bytes and reads everything the server answers until it closes the connection. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(parley.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body });
    });
  });
}

describe('requests Node itself refuses', () => {
  it('answers headers over the size limit with a JSON 431', async () => {
    const res = await raw(`GET /api/v1/threads/0000000000000000 HTTP/1.1\r\nHost: parley.test\r\nCookie: ${'a=b; '.repeat(6000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'headers_too_large', message: expect.stringMatching(/headers are too large/), details: [] } });
  });

  it('answers a malformed request with a JSON 400', async () => {
    const res = await raw('BREW /pot HTTP/1.1 please\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('bad_request');
  });

  it('still serves ordinary requests', async () => {
    expect((await parley.http().get('/healthz')).status).toBe(200);
  });
});
