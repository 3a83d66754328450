import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postOut } from '../../server/webhooks/webhook.send';

/**
 * One send to a receiver (real HTTP on loopback): connections are kept between sends, and a kept
 * connection the receiver drops as a send goes out costs that send nothing.
 */
async function receiver(onRequest: (req: http.IncomingMessage, res: http.ServerResponse, nth: number) => void) {
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => onRequest(req, res, ++requests));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('sending to a receiver', () => {
  it('keeps one connection for the sends that follow each other', async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    try {
      for (let i = 0; i < 5; i++) {
        const result = await postOut(r.url, {}, JSON.stringify({ i }), true);
        expect([result.status, result.error]).toEqual([204, null]);
      }
      expect(r.requests()).toBe(5);
      expect(r.connections()).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('sends again at once, on a new connection, when the receiver drops a kept one before answering', async () => {
    // The second request on each connection is cut off unanswered, as a receiver closing an idle
    // connection at the moment a send arrives would.
    const perSocket = new WeakMap<object, number>();
    const r = await receiver((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) req.socket.destroy();
      else res.writeHead(204).end();
    });
    try {
      expect((await postOut(r.url, {}, '{"n":1}', true)).status).toBe(204);
      const second = await postOut(r.url, {}, '{"n":2}', true);
      expect([second.status, second.error]).toEqual([204, null]);
      expect(r.connections()).toBe(2);
      expect(r.requests()).toBe(3);
    } finally {
      await r.close();
    }
  });

  it('does not send a third time: a new connection dropped too is the send\'s failure', async () => {
    const r = await receiver((req, res, nth) => {
      if (nth === 1) res.writeHead(204).end();
      else req.socket.destroy();
    });
    try {
      expect((await postOut(r.url, {}, '{}', true)).status).toBe(204);
      const failed = await postOut(r.url, {}, '{}', true);
      expect(failed.status).toBeNull();
      expect(failed.error).toMatch(/socket hang up|ECONNRESET/);
      expect(r.requests()).toBe(3);
    } finally {
      await r.close();
    }
  });
});
