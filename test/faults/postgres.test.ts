import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { type Proc, startProc } from '../bench/procs';
import { freshDatabase } from './database';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * Faults against a real PostgreSQL (DATABASE_URL; CI runs these after the PostgreSQL suite). Parley
 * runs as its own process; everything stays on loopback and every wait is bounded.
 */
const BASE_URL = process.env.DATABASE_URL;
const maybe = BASE_URL ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A deadline for a race, that does not keep the test process alive once the race is won. */
const deadline = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
/** Longer than this without an answer is a hang: the test fails on it. */
const HANG_MS = 12_000;
/**
 * A shell command that restarts the PostgreSQL server itself, `{mode}` standing for the shutdown
 * mode (CI: `pg_ctlcluster --mode {mode} 15 main restart`). Unset, that test is skipped: it takes
 * the database away from everything else using the server.
 */
const RESTART_DB = process.env.PARLEY_FAULTS_RESTART_DB;

let dbUrl: string;
let admin: pg.Client;

beforeAll(async () => {
  if (!BASE_URL) return;
  ({ url: dbUrl, admin } = await freshDatabase(BASE_URL, 'faults'));
});

/** The test's own connection; a restarted server ends it, and the test connects again. */
async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: dbUrl });
  client.on('error', () => {}); // the server went away: the next query fails, and says so
  await client.connect();
  return client;
}
afterAll(async () => {
  await admin?.end();
});

async function newThread(): Promise<string> {
  const siteId = `faults-${crypto.randomBytes(3).toString('hex')}`;
  const threadId = crypto.randomBytes(8).toString('hex');
  await admin.query(`insert into sites (id, name, origins, settings) values ($1, 'Faults', '[]', '{}')`, [siteId]);
  await admin.query(`insert into threads (id, site_id, key) values ($1, $2, $3)`, [threadId, siteId, `k-${threadId}`]);
  return threadId;
}

/** How many times each of these texts is stored in the thread. */
async function countsOf(threadId: string): Promise<Map<string, number>> {
  const { rows } = await admin.query<{ body_src: string; n: string }>(
    'select body_src, count(*) n from comments where thread_id = $1 group by body_src',
    [threadId],
  );
  return new Map(rows.map((r) => [r.body_src, Number(r.n)]));
}

interface Outcome {
  status: number;
  retryAfter: string | null;
  ms: number;
}

/** One POST with an Idempotency-Key; throws on a network error, fails the test on a hang. */
async function post(url: string, threadId: string, text: string, key: string, hangs: string[]): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api/v1/threads/${threadId}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ body: text }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') hangs.push(`${text} after ${HANG_MS} ms`);
    throw err;
  }
}

/**
 * Readers who write: each posts texts one by one, retrying a text with the same key until it is
 * acknowledged. A key whose first attempt died with its process answers 409 (still running) for a
 * minute; such a text is given up — unacknowledged — and the writer moves on.
 */
function writers(count: number, urlOf: () => string, threadId: string, label: string) {
  const acknowledged: string[] = [];
  const abandoned: string[] = [];
  const unavailable: Outcome[] = [];
  const hangs: string[] = [];
  let stop = false;
  const loops = Array.from({ length: count }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const text = `${label} writer ${w} comment ${i}`;
      const key = crypto.randomUUID();
      let done = false;
      while (!done && !stop) {
        try {
          const out = await post(urlOf(), threadId, text, key, hangs);
          if (out.status === 201) {
            acknowledged.push(text);
            done = true;
          } else if (out.status === 503) {
            unavailable.push(out);
            await sleep(200);
          } else if (out.status === 409) {
            break;
          } else {
            throw new Error(`unexpected ${out.status} for ${text}`);
          }
        } catch (err) {
          if ((err as Error).message.startsWith('unexpected')) throw err;
          await sleep(200); // the process is gone or restarting
        }
      }
      if (!done) abandoned.push(text);
    }
  });
  return {
    acknowledged,
    abandoned,
    unavailable,
    hangs,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

async function expectExactlyOnce(threadId: string, acknowledged: string[], abandoned: string[]) {
  const counts = await countsOf(threadId);
  expect(acknowledged.filter((t) => counts.get(t) !== 1)).toEqual([]);
  expect(abandoned.filter((t) => (counts.get(t) ?? 0) > 1)).toEqual([]);
  // Nothing appears that nobody tried to post.
  const tried = new Set([...acknowledged, ...abandoned]);
  expect([...counts.keys()].filter((t) => !tried.has(t))).toEqual([]);
}

/** Live events flow again: a comment posted now reaches the reader who stayed connected. */
async function expectLiveAgain(url: string, threadId: string, live: { socket: Socket; bodies: string[] }, text: string) {
  const res = await post(url, threadId, text, crypto.randomUUID(), []);
  expect(res.status).toBe(201);
  await until(`the live event "${text}"`, 10_000, async () => (live.bodies.includes(`<p>${text}</p>`) ? true : undefined));
  live.socket.disconnect();
}

function reader(url: string, threadId: string): Promise<{ socket: Socket; bodies: string[] }> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  const bodies: string[] = [];
  socket.on('comment:created', (p: { comment: { bodyHtml: string } }) => bodies.push(p.comment.bodyHtml));
  // After a reconnect, join again (the client library does not remember rooms).
  const join = () =>
    new Promise<void>((resolve, reject) => {
      socket.emit('thread:join', { threadId }, (ack: { error?: { message: string } }) => (ack?.error ? reject(new Error(ack.error.message)) : resolve()));
    });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => join().then(() => resolve({ socket, bodies }), reject));
    socket.on('connect', () => void join().catch(() => {}));
    socket.once('connect_error', reject);
  });
}

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

maybe('PostgreSQL faults', () => {
  let proc: Proc | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proc?.stop();
    proc = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  it('SIGKILL every few seconds while readers post with idempotency keys: every acknowledged comment exactly once', async () => {
    const threadId = await newThread();
    const env = { DATABASE_URL: dbUrl, PARLEY_RATE_LIMITS: 'off' };
    proc = await startProc('server/main.ts', env);
    let url = proc.url;
    const load = writers(4, () => url, threadId, 'kill');
    for (let kill = 0; kill < 3; kill++) {
      await sleep(1500 + kill * 500);
      const dying = proc!;
      const exited = new Promise((r) => dying.child.once('exit', r));
      dying.child.kill('SIGKILL');
      await exited;
      proc = await startProc('server/main.ts', env);
      url = proc.url;
    }
    await sleep(2000);
    await load.stop();
    expect(load.hangs).toEqual([]);
    expect(load.acknowledged.length).toBeGreaterThan(10);
    await expectExactlyOnce(threadId, load.acknowledged, load.abandoned);
  }, 240_000);

  it('the database goes away (RST, then FIN) and comes back: 503 with Retry-After, no hang, resumes on its own, live events too', async () => {
    const threadId = await newThread();
    const target = new URL(dbUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(dbUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    proc = await startProc('server/main.ts', { DATABASE_URL: proxied.toString(), PARLEY_RATE_LIMITS: 'off' });
    const url = proc.url;
    const live = await reader(url, threadId);
    const load = writers(3, () => url, threadId, 'outage');

    for (const how of ['reset', 'graceful'] as const) {
      await sleep(1500);
      proxy.cut(how);
      // During the outage: a reader's page and the readiness check answer 503 quickly, never hang.
      await sleep(300);
      for (const path of [`/api/v1/threads/${threadId}/comments`, '/readyz']) {
        const started = performance.now();
        const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(HANG_MS) });
        expect({ path, status: res.status }).toEqual({ path, status: 503 });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(performance.now() - started).toBeLessThan(8000);
      }
      await sleep(2500);
      proxy.restore();
      // Back on its own: no restart, no operator.
      await until(`ready after the ${how} outage`, 30_000, async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined));
      const before = load.acknowledged.length;
      await until(`writes after the ${how} outage`, 30_000, async () => (load.acknowledged.length > before ? true : undefined));
    }
    await sleep(1000);
    await load.stop();

    expect(load.hangs).toEqual([]);
    expect(load.unavailable.length).toBeGreaterThan(0);
    expect(load.unavailable.filter((o) => !o.retryAfter)).toEqual([]);
    await expectExactlyOnce(threadId, load.acknowledged, load.abandoned);

    await expectLiveAgain(url, threadId, live, 'after both outages');
  }, 180_000);

  (RESTART_DB ? it : it.skip)('PostgreSQL restarts, fast then immediate, under load: 2xx or 503 with Retry-After meanwhile, resumes on its own, live events too', async () => {
    const threadId = await newThread();
    proc = await startProc('server/main.ts', { DATABASE_URL: dbUrl, PARLEY_RATE_LIMITS: 'off' });
    const url = proc.url;
    const live = await reader(url, threadId);
    const load = writers(3, () => url, threadId, 'restart');
    const answers: Array<{ path: string; status: number; retryAfter: string | null; ms: number }> = [];
    try {
      for (const mode of ['fast', 'immediate'] as const) {
        await sleep(1500);
        const before = load.acknowledged.length;
        const restarting = promisify(execFile)('sh', ['-c', RESTART_DB!.replaceAll('{mode}', mode)], { timeout: 60_000 });
        // While the server goes down and comes back: pages and the readiness check keep answering.
        let restarted = false;
        void restarting.then(() => (restarted = true), () => (restarted = true));
        while (!restarted) {
          for (const path of [`/api/v1/threads/${threadId}/comments`, '/readyz']) {
            const started = performance.now();
            const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(HANG_MS) });
            await res.arrayBuffer();
            answers.push({ path, status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started });
          }
          await sleep(100);
        }
        await restarting; // a failed restart fails the test
        await until(`ready after the ${mode} restart`, 30_000, async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined));
        await until(`writes after the ${mode} restart`, 30_000, async () => (load.acknowledged.length > before ? true : undefined));
      }
      await sleep(1000);
    } finally {
      await load.stop();
      await admin.end().catch(() => {});
      admin = await until('the test connection again', 30_000, () => connectAdmin());
    }

    expect(load.hangs).toEqual([]);
    // Every answer was a page, or a 503 saying when to come back; writers saw the outage too.
    expect(answers.filter((a) => a.status !== 200 && !(a.status === 503 && Number(a.retryAfter) > 0))).toEqual([]);
    expect(answers.filter((a) => a.ms > 8000)).toEqual([]);
    expect(load.unavailable.length + answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    expect(load.unavailable.filter((o) => !o.retryAfter)).toEqual([]);
    await expectExactlyOnce(threadId, load.acknowledged, load.abandoned);

    await expectLiveAgain(url, threadId, live, 'after both restarts');
  }, 240_000);

  it('slow-header and slow-body clients and a flooding socket are cut off; other readers stay within 2× of normal', async () => {
    const threadId = await newThread();
    proc = await startProc('server/main.ts', { DATABASE_URL: dbUrl });
    const { url, port } = proc;
    await post(url, threadId, 'something to read', crypto.randomUUID(), []);

    const readLatency = async (n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const res = await fetch(`${url}/api/v1/threads/${threadId}/comments`, { signal: AbortSignal.timeout(HANG_MS) });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
    };
    await readLatency(10); // warm up
    const normal = await readLatency(40);

    // 200 clients trickling headers, 50 trickling a body: one byte every two seconds.
    const closed: Array<Promise<number>> = [];
    const trickle = (head: string, drip: string) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
      const timer = setInterval(() => socket.writable && socket.write(drip), 2000);
      closed.push(
        new Promise((resolve) => {
          socket.on('error', () => {});
          socket.on('close', () => {
            clearInterval(timer);
            resolve(Date.now() - started);
          });
        }),
      );
      return socket;
    };
    const slow: net.Socket[] = [];
    for (let i = 0; i < 200; i++) slow.push(trickle('GET /api/v1/threads/x/comments HTTP/1.1\r\nHost: parley.test\r\n', 'X'));
    for (let i = 0; i < 50; i++) {
      slow.push(
        trickle(
          `POST /api/v1/threads/${threadId}/comments HTTP/1.1\r\nHost: parley.test\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"body":"`,
          'a',
        ),
      );
    }

    // A socket sending events as fast as it can.
    const flooder = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => flooder.once('connect', () => resolve()).once('connect_error', reject));
    const cutOff = new Promise<string>((resolve) => flooder.once('disconnect', (reason) => resolve(reason)));
    const flood = setInterval(() => {
      for (let i = 0; i < 20; i++) flooder.emit('thread:join', { threadId }, () => {});
    }, 10);

    try {
      await sleep(1000);
      const during = await readLatency(40);
      expect(await Promise.race([cutOff, deadline(15_000).then(() => 'still connected')])).toBe('io server disconnect');
      expect(during).toBeLessThanOrEqual(normal * 2 + 5);
      // Node's own timeouts (headers 20 s, request 30 s, checked every 30 s) close every slow client.
      const lasted = await Promise.race([Promise.all(closed), deadline(75_000).then(() => null)]);
      expect(lasted).not.toBeNull();
      // And readers are served as before once they are gone.
      expect(await readLatency(20)).toBeLessThanOrEqual(normal * 2 + 5);
    } finally {
      clearInterval(flood);
      flooder.disconnect();
      for (const s of slow) s.destroy();
    }
  }, 150_000);
});
