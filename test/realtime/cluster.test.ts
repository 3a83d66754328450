import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createLiveClient, type LiveClient, type LiveStatus, type ThreadEvent } from '../../client/shared/live';
import type { DatabaseHandle } from '../../server/db';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { describeOnPostgres, openTestDatabase } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';
import { sleep, waitFor } from './helpers';

/**
 * Several Parley processes on one PostgreSQL, behind a plain round-robin TCP balancer (no sticky
 * sessions), with the shared live client. Needs a PostgreSQL server: the embedded database is one
 * process only.
 */
const ROOT = path.resolve(__dirname, '../..');
const DATABASE_URL = process.env.DATABASE_URL;

/** The per-worker database the test helper created (same naming as test/helpers/db.ts). */
function workerDatabaseUrl(url: string): string {
  const base = new URL(url).pathname.slice(1) || 'parley';
  const target = new URL(url);
  target.pathname = `/${`${base}_w${process.env.JEST_WORKER_ID ?? '0'}`.replace(/[^a-z0-9_]/gi, '_')}`;
  return target.toString();
}

interface Instance {
  child: ChildProcess;
  port: number;
  alive: boolean;
  output: () => string;
  exited: Promise<number | null>;
}

async function startInstance(databaseUrl: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: '', // this test is about the Postgres adapter
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://parley.test',
      LOG_LEVEL: 'info',
      PARLEY_RATE_LIMITS: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)[^\n]*listening/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`instance exited with ${code}: ${output}`)));
  });
  return { child, port, alive: true, output: () => output, exited };
}

describeOnPostgres('several instances on one PostgreSQL', () => {
  let database: DatabaseHandle;
  const instances: Instance[] = [];
  let balancer: Balancer | undefined;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    // The first start seeds the demo; the others find it.
    instances.push(await startInstance(workerDatabaseUrl(DATABASE_URL!)));
    instances.push(...(await Promise.all([startInstance(workerDatabaseUrl(DATABASE_URL!)), startInstance(workerDatabaseUrl(DATABASE_URL!))])));
    balancer = await startBalancer(() => instances.filter((i) => i.alive).map((i) => i.port));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await balancer?.close();
    for (const i of instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
    await Promise.all(instances.map((i) => i.exited));
    await database?.close();
  });

  it('delivers every comment once and in order to every reader, while one instance is killed and another stopped', async () => {
    const site = await buildSite(database.db);
    const thread = await buildThread(database.db, site.id);

    // Six readers through the balancer: two on each instance.
    const readers: Array<{ events: ThreadEvent[]; statuses: LiveStatus[]; instance: number }> = [];
    for (let i = 0; i < 6; i++) {
      const events: ThreadEvent[] = [];
      const statuses: LiveStatus[] = [];
      const client = createLiveClient({ url: balancer!.url, socket: { reconnectionDelay: 100, reconnectionDelayMax: 1000 } });
      clients.push(client);
      client.follow(thread.id, { since: 0, onEvent: (e) => events.push(e), onResync: () => {}, onStatus: (s) => statuses.push(s) });
      await waitFor(() => statuses.includes('live'), 10_000, `reader ${i} to join`);
      readers.push({ events, statuses, instance: instances.findIndex((x) => x.port === balancer!.routes.at(-1)) });
    }
    expect(readers.map((r) => r.instance).sort()).toEqual([0, 0, 1, 1, 2, 2]);

    // Writes go to instances directly, in turn, as a balancer would send them; a dead one is skipped.
    let turn = 0;
    const posted: string[] = [];
    async function post(body: string): Promise<void> {
      for (let attempt = 0; attempt < instances.length * 2; attempt++) {
        const target = instances[turn++ % instances.length]!;
        if (!target.alive) continue;
        try {
          const res = await fetch(`http://127.0.0.1:${target.port}/api/v1/threads/${thread.id}/comments`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ body }),
          });
          if (res.status === 503) continue; // draining
          expect(res.status).toBe(201);
          posted.push(((await res.json()) as { comment: { id: string } }).comment.id);
          return;
        } catch {
          // Refused: the instance is gone. Nothing was acknowledged, so try the next one.
        }
      }
      throw new Error('no instance accepted the comment');
    }

    // Posted through the second instance, read by everyone, wherever they are connected.
    turn = 1;
    await post('Through the second instance');
    await waitFor(() => readers.every((r) => r.events.length === 1), 10_000, 'every reader to receive the first comment');

    const total = 36;
    for (let i = 1; i < total; i++) {
      // Comment 5 is long: its event is over NOTIFY's 8000-byte limit and travels through the table.
      await post(i === 5 ? `A long one. ${'All work and no play makes Jack a dull boy. '.repeat(220)}` : `Comment ${i}`);
      if (i === 12) {
        instances[0]!.alive = false;
        instances[0]!.child.kill('SIGKILL');
      }
      if (i === 24) {
        // A graceful stop: the instance drains while writes keep arriving elsewhere.
        instances[1]!.alive = false;
        instances[1]!.child.kill('SIGTERM');
      }
      await sleep(40);
    }
    expect(await instances[1]!.exited).toBe(0);
    expect(instances[1]!.output()).toContain('stopped cleanly');

    await waitFor(() => readers.every((r) => r.events.length >= total), 20_000, 'every reader to catch up');
    await sleep(500); // anything extra (a duplicate) would arrive now
    for (const reader of readers) {
      const ids = reader.events.map((e) => (e.payload as { comment: { id: string } }).comment.id);
      expect(ids).toEqual(posted);
      expect(reader.events.map((e) => e.payload.seq)).toEqual(posted.map((_, i) => i + 1));
    }
    const parked = await database.db.selectFrom('socket_io_attachments').select('id').execute();
    expect(parked.length).toBeGreaterThan(0);
    // Those on the killed and the stopped instance went offline and came back through the balancer.
    for (const reader of readers.filter((r) => r.instance < 2)) {
      expect(reader.statuses).toContain('offline');
      expect(reader.statuses.at(-1)).toBe('live');
    }
  }, 90_000);
});
