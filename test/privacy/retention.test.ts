import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DatabaseHandle, type Db, migrateToLatest, openPglite, openPostgres } from '../../server/db';
import { newId } from '../../server/ids';
import { utcDay } from '../../server/privacy/network';
import { runRetention } from '../../server/privacy/retention.service';
import { buildSite, buildThread } from '../helpers/factories';
import { startPrivacyParley } from './helpers';
import { useParley } from '../helpers/parley';
import { openTestDataDir } from '../helpers/db';

const DAY = 86_400_000;
const ROOT = path.resolve(__dirname, '../..');

const parley = useParley({ TRUST_PROXY: 'loopback', ...{ PARLEY_RETENTION_INTERVAL_MINUTES: '0' } }, { capture: true });

async function comment(
  db: Db,
  thread: { id: string; site_id: string },
  values: { ageDays: number; status?: 'approved' | 'rejected' | 'spam'; parentId?: string; body?: string },
) {
  return db
    .insertInto('comments')
    .values({
      id: newId(),
      site_id: thread.site_id,
      thread_id: thread.id,
      parent_id: values.parentId ?? null,
      root_id: values.parentId ?? null,
      depth: values.parentId ? 1 : 0,
      body_src: values.body ?? 'words',
      body_html: `<p>${values.body ?? 'words'}</p>`,
      author_name: 'Someone',
      status: values.status ?? 'approved',
      previous_status: null,
      ip_hash: `${utcDay(new Date(Date.now() - values.ageDays * DAY))}:${'h'.repeat(32)}`,
      user_agent: 'Agent/1.0',
      created_at: new Date(Date.now() - values.ageDays * DAY),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function seedOldData(db: Db) {
  const short = await buildSite(db, { id: 'short-site', settings: { retentionDays: 7, rejectedRetentionDays: 30 } });
  const long = await buildSite(db, { id: 'long-site', settings: { retentionDays: 60 } });
  const t1 = await buildThread(db, short.id);
  const t2 = await buildThread(db, long.id);
  const rows = {
    oldApproved: await comment(db, t1, { ageDays: 40, body: 'an old approved comment' }),
    recent: await comment(db, t1, { ageDays: 1 }),
    oldElsewhere: await comment(db, t2, { ageDays: 10 }),
    oldRejected: await comment(db, t1, { ageDays: 40, status: 'rejected', body: 'rejected words' }),
    oldSpam: await comment(db, t1, { ageDays: 40, status: 'spam', body: 'spam words' }),
    recentRejected: await comment(db, t1, { ageDays: 10, status: 'rejected' }),
  };
  const replyToSpam = await comment(db, t1, { ageDays: 39, status: 'rejected', parentId: rows.oldSpam.id });
  await db.updateTable('comments').set({ created_at: new Date(Date.now() - 20 * DAY) }).where('id', '=', replyToSpam.id).execute();
  await db.insertInto('comment_edits').values({ comment_id: rows.oldSpam.id, body_src: 'earlier spam words' }).execute();
  // The author saw their own held comment live: a private event holding its words.
  await db
    .insertInto('thread_events')
    .values({ thread_id: t1.id, seq: 1, event: 'comment:created', payload: JSON.stringify({ comment: { id: rows.oldRejected.id, bodyHtml: '<p>rejected words</p>' } }), audience: 'someone' })
    .execute();
  const soon = new Date(Date.now() + DAY);
  const past = new Date(Date.now() - 1000);
  await db
    .insertInto('idempotency_keys')
    .values([
      { scope: 's', key: 'expired', request_hash: 'x', state: 'done', expires_at: past },
      { scope: 's', key: 'live', request_hash: 'x', state: 'done', expires_at: soon },
    ])
    .execute();
  await db
    .insertInto('privacy_requests')
    .values([
      { id: newId(), site_id: short.id, kind: 'erase', channel: 'mail', email: 'late@example.com', token_hash: 'a'.repeat(64), expires_at: past },
      { id: newId(), site_id: short.id, kind: 'erase', channel: 'mail', email: 'live@example.com', token_hash: 'b'.repeat(64), expires_at: soon },
      { id: newId(), site_id: short.id, kind: 'export', channel: 'admin', email: 'waiting@example.com' },
    ])
    .execute();
  // Poll ballots keep the voter's network hash for the per-network cap: as long as comments do.
  const poll = newId();
  await db.insertInto('polls').values({ id: poll, site_id: short.id, thread_id: t1.id, question: 'q', kind: 'single', max_choices: 1, visibility: 'always', network_cap: 5, closes_at: null, created_by: null }).execute();
  for (const [who, age] of [['old-voter', 10], ['new-voter', 1]] as const) {
    await db.insertInto('commenters').values({ id: who, token_hash: null, name: null, email: null, website: null }).execute();
    await db.insertInto('poll_ballots').values({ poll_id: poll, commenter_id: who, ip_hash: `h-${who}`, created_at: new Date(Date.now() - age * DAY) }).execute();
    // Likes keep it too, for the per-network cap on likes without a token.
    await db.insertInto('reactions').values({ comment_id: rows.recent.id, commenter_id: who, ip_hash: `h-${who}`, created_at: new Date(Date.now() - age * DAY) }).execute();
  }
  for (const age of [1, 40, 70]) {
    await db.insertInto('hash_keys').values({ day: utcDay(new Date(Date.now() - age * DAY)), secret: 'c2VjcmV0' }).onConflict((oc) => oc.column('day').doNothing()).execute();
  }
  return { ...rows, replyToSpam };
}

const byId = async (db: Db, id: string) => db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();

describe('the retention run', () => {
  it('purges what each site keeps past its periods, and reports it', async () => {
    const db = parley.db;
    const rows = await seedOldData(db);
    const report = await runRetention({ db, network: parley.app.deps.network });

    expect(report.sites).toEqual([
      { siteId: 'long-site', networkHashes: 0, userAgents: 0, rejectedComments: 0, voteNetworkHashes: 0, likeNetworkHashes: 0, networkBans: 0, signInJtis: 0, signInCodes: 0, signInBansKept: 0, unconfirmedMailAddresses: 0, notifications: 0, webhookDeliveries: 0, slowModePosts: 0, abuseFingerprints: 0, abuseSamples: 0 },
      { siteId: 'short-site', networkHashes: 5, userAgents: 5, rejectedComments: 2, voteNetworkHashes: 1, likeNetworkHashes: 1, networkBans: 0, signInJtis: 0, signInCodes: 0, signInBansKept: 0, unconfirmedMailAddresses: 0, notifications: 0, webhookDeliveries: 0, slowModePosts: 0, abuseFingerprints: 0, abuseSamples: 0 },
    ]);
    expect(report).toMatchObject({ idempotencyKeys: 1, privacyRequests: 1, hashKeys: 1, keysKeptFrom: utcDay(new Date(Date.now() - 61 * DAY)) });

    // Network hashes and user agents: gone past 7 days on the short site, kept on the long one.
    expect(await byId(db, rows.oldApproved.id)).toMatchObject({ ip_hash: null, user_agent: null, body_src: 'an old approved comment', status: 'approved' });
    expect(await byId(db, rows.recent.id)).toMatchObject({ ip_hash: expect.any(String), user_agent: 'Agent/1.0' });
    expect(await byId(db, rows.oldElsewhere.id)).toMatchObject({ ip_hash: expect.any(String) });
    // Rejected and spam past 30 days: deleted, or blanked where another comment still points at it.
    expect(await byId(db, rows.oldRejected.id)).toBeUndefined();
    expect(await byId(db, rows.oldSpam.id)).toMatchObject({ body_src: '', body_html: '', author_name: null, commenter_id: null, status: 'spam' });
    expect(await byId(db, rows.replyToSpam.id)).toMatchObject({ parent_id: rows.oldSpam.id, body_src: 'words' });
    expect(await byId(db, rows.recentRejected.id)).toMatchObject({ body_src: 'words' });
    expect(await db.selectFrom('comment_edits').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('thread_events').selectAll().execute()).toEqual([]);

    expect((await db.selectFrom('poll_ballots').select(['commenter_id', 'ip_hash']).orderBy('commenter_id').execute())).toEqual([
      { commenter_id: 'new-voter', ip_hash: 'h-new-voter' },
      { commenter_id: 'old-voter', ip_hash: null },
    ]);
    expect((await db.selectFrom('reactions').select(['commenter_id', 'ip_hash']).orderBy('commenter_id').execute())).toEqual([
      { commenter_id: 'new-voter', ip_hash: 'h-new-voter' },
      { commenter_id: 'old-voter', ip_hash: null },
    ]);
    expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key)).toEqual(['live']);
    expect((await db.selectFrom('privacy_requests').select('email').orderBy('email').execute()).map((r) => r.email)).toEqual(['live@example.com', 'waiting@example.com']);
    expect((await db.selectFrom('hash_keys').select('day').orderBy('day').execute()).map((r) => r.day)).toEqual([
      utcDay(new Date(Date.now() - 40 * DAY)),
      utcDay(new Date(Date.now() - DAY)),
    ]);

    // A second run finds nothing left to do.
    const again = await runRetention({ db });
    expect(again.sites.every((s) => s.networkHashes === 0 && s.rejectedComments === 0)).toBe(true);
    expect(again).toMatchObject({ idempotencyKeys: 0, privacyRequests: 0, hashKeys: 0 });
  });

  it('runs on a timer started by the app and stops when the app closes', async () => {
    const timed = await startPrivacyParley({ PARLEY_RETENTION_INTERVAL_MINUTES: '0.005' });
    try {
      const site = await buildSite(timed.db, { settings: { retentionDays: 1 } });
      const thread = await buildThread(timed.db, site.id);
      const old = await comment(timed.db, thread, { ageDays: 5 });
      const deadline = Date.now() + 10_000;
      // The run logs once all its purges are done, a little after this comment's.
      const done = async () => !(await byId(timed.db, old.id))?.ip_hash && /retention run finished/.test(timed.logs());
      while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await byId(timed.db, old.id)).toMatchObject({ ip_hash: null, user_agent: null });
      expect(timed.logs()).toMatch(/retention run finished/);
      expect(timed.logs()).toMatch(/"networkHashes":1/);

      await timed.app.close(100);
      const after = await comment(timed.db, thread, { ageDays: 5 });
      await new Promise((r) => setTimeout(r, 800));
      expect(await byId(timed.db, after.id)).toMatchObject({ ip_hash: expect.any(String) });
    } finally {
      await timed.close();
    }
  });
});

/** `npm run parley -- retention:run`, against a database of its own. */
describe('the retention:run command', () => {
  let handle: DatabaseHandle;
  let env: Record<string, string>;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      // The same per-worker database the other tests use (this file's server is idle meanwhile).
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${(url.pathname.slice(1) || 'parley') + '_w' + (process.env.JEST_WORKER_ID ?? '0')}`.replace(/[^a-z0-9_/]/gi, '_');
      env = { DATABASE_URL: url.toString() };
      handle = openPostgres({ connectionString: url.toString() });
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-retention-'));
      env = { DATABASE_URL: '', DATA_DIR: dataDir };
      handle = await openTestDataDir(dataDir);
    }
    if (process.env.DATABASE_URL) await migrateToLatest(handle.db);
  });
  afterAll(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('purges and prints what it purged', async () => {
    await parley.reset();
    const site = await buildSite(handle.db, { id: 'cli-site', settings: { retentionDays: 3 } });
    const thread = await buildThread(handle.db, site.id);
    const old = await comment(handle.db, thread, { ageDays: 4 });
    await handle.close(); // the embedded database is locked to one process at a time

    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'retention:run'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toMatch(/site cli-site: 1 network hashes, 1 user agents, 0 rejected or spam comments, 0 vote network hashes/);
    expect(output).toMatch(/daily network secrets destroyed/);
    expect(code).toBe(0);

    handle = process.env.DATABASE_URL ? openPostgres({ connectionString: env.DATABASE_URL! }) : await openPglite({ dataDir });
    expect(await byId(handle.db, old.id)).toMatchObject({ ip_hash: null, user_agent: null });
    await handle.close();
  }, 60_000);
});
