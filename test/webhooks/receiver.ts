import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The answer's status; 0 while the answer is still held back. */
  status: number;
}

/**
 * A real HTTP receiver on loopback; `answer` picks each response's status, and may hold the answer
 * back (a promise) to keep a send in flight. A request is recorded as soon as its body has arrived.
 */
export async function startReceiver(answer: (body: string) => number | Promise<number> = () => 204) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
      received.push(entry);
      void Promise.resolve(answer(entry.body)).then((status) => {
        entry.status = status;
        res.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    setAnswer(fn: (body: string) => number | Promise<number>) {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A receiver for one test file, as `useParley` does for Parley: started before its tests, closed
 * after them, and emptied (answering 204 again) before each.
 */
export function useReceiver(): Receiver {
  let started: Receiver | undefined;
  beforeAll(async () => {
    started = await startReceiver();
  });
  afterAll(() => started?.close());
  beforeEach(() => {
    started!.received.length = 0;
    started!.setAnswer(() => 204);
  });
  return new Proxy({} as Receiver, {
    get(_, key) {
      if (!started) throw new Error(`The receiver is not started yet (read .${String(key)} inside a test or hook)`);
      return Reflect.get(started, key);
    },
  });
}
