import fs from 'node:fs';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from '../../db/schema';
import { type DatabaseHandle, type Db, migrateToLatest, openPglite, openPostgres } from '../../server/db';
import { pgliteStartParams } from '../../server/pglite-init';
import { closeWhenWorkerEnds, sharesWorkerContext, workerSlots } from './worker';

/**
 * One real database per test file: PostgreSQL when DATABASE_URL is set (a database per Jest worker,
 * created on first use), otherwise an in-memory PGlite started from the migrated snapshot.
 */
export async function openTestDatabase(options: { keepData?: boolean; suffix?: string; fresh?: boolean } | string = {}): Promise<DatabaseHandle> {
  // A string is a suffix: a second, separate database for the same worker.
  const { keepData = false, suffix = '', fresh = false } = typeof options === 'string' ? { suffix: options } : options;
  const url = process.env.DATABASE_URL;
  if (url) {
    // A database per Jest worker, named after the one in DATABASE_URL so runs never share state.
    // A suffix gives a test a second, separate database (restoring an archive into an empty one).
    const base = new URL(url).pathname.slice(1) || 'parley';
    const name = `${base}_w${process.env.JEST_WORKER_ID ?? '0'}${suffix}`.replace(/[^a-z0-9_]/gi, '_');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // `fresh`: created anew, with no statistics left by an earlier run (a test of the planner's choices).
      if (fresh) await admin.query(`drop database if exists "${name}" with (force)`);
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount === 0) {
        await admin.query(`create database "${name}"`).catch((err) => {
          if (err.code !== '42P04') throw err; // created by a concurrent run of the same worker id
        });
      }
    } finally {
      await admin.end();
    }
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = openPostgres({ connectionString: target.toString(), max: 20 });
    await migrateToLatest(handle.db);
    // A second instance on the same database (multi-instance tests) keeps what the first wrote.
    if (!keepData) await resetDatabase(handle);
    return handle;
  }
  return openTestDataDir();
}

/** The connection URL of a PostgreSQL test database (for a client or pool of a test's own beside its handle). */
export async function urlOf(handle: DatabaseHandle): Promise<string> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${(await sql<{ db: string }>`select current_database() as db`.execute(handle.db)).rows[0]!.db}`;
  return url.toString();
}

/**
 * A migrated embedded database: in memory, or in a data directory on disk for a test whose command
 * runs in a process of its own or opens the directory itself (not a test of the first run, which
 * must start from an empty directory). Unpacked from the run's snapshot, migrated by the global
 * setup, when there is one (about a second; migrating it again would only check, 0.15–0.25 s),
 * rather than initdb and every migration (5 s alone, 10 s or more on a busy machine).
 */
export async function openTestDataDir(dataDir?: string): Promise<DatabaseHandle> {
  const snapshot = process.env.PARLEY_TEST_SNAPSHOT;
  if (snapshot && fs.existsSync(snapshot)) {
    const lent = dataDir ? undefined : await borrowWorkerPglite(snapshot);
    return lent ?? openPglite({ dataDir, loadDataDir: tarball(fs.readFileSync(snapshot)) });
  }
  const handle = await openPglite({ dataDir });
  await migrateToLatest(handle.db);
  return handle;
}

/**
 * The snapshot as PGlite reads it (it asks only for the bytes), without a Blob: Node 20's Blob hands
 * a large body back in small chunks it then joins, which took 0.5–1 s of each file's start for the
 * 42 MB snapshot; this takes a few milliseconds.
 */
function tarball(bytes: Buffer): Blob {
  const body = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { type: 'application/x-tar', arrayBuffer: async () => body } as unknown as Blob;
}

type PGliteClient = Awaited<ReturnType<(typeof import('@electric-sql/pglite'))['PGlite']['create']>>;

interface WorkerPglite {
  client: Promise<PGliteClient>;
  lent: boolean;
}

const WORKER_PGLITE = Symbol.for('parley.test.pglite');

/**
 * The worker's one in-memory PGlite, lent to one test file at a time: opening one from the snapshot
 * costs a second or more of CPU per file, and a worker kept about 185 MB of every one it had opened.
 * The files run in the worker's one context (jest.config.js), so what the database hands back
 * (dates, buffers) is of the same realm as the file's own. The borrower gets the database emptied
 * and its session reset (`discard all`): nothing of the previous file is left but the migrated
 * schema. A second database in the same file (an archive restored into an empty one), or one asked
 * for while a file that never closed its own still holds it, is a PGlite of its own.
 */
async function borrowWorkerPglite(snapshot: string): Promise<DatabaseHandle | undefined> {
  const worker = workerSlots<WorkerPglite>();
  // Only where the files share the worker's context; otherwise a file's dates would not be dates to the next.
  if (!sharesWorkerContext()) return undefined;
  const known = worker[WORKER_PGLITE];
  if (known?.lent) return undefined;
  let lease = known;
  if (!lease) {
    const { PGlite } = await import('@electric-sql/pglite');
    const opening = PGlite.create({ loadDataDir: tarball(fs.readFileSync(snapshot)), startParams: pgliteStartParams(PGlite.defaultStartParams) });
    lease = worker[WORKER_PGLITE] = { client: opening, lent: false };
    // One that failed to open is forgotten: the next file tries again.
    opening.catch(() => {
      if (worker[WORKER_PGLITE]?.client === opening) worker[WORKER_PGLITE] = undefined;
    });
    // PGlite's Postgres keeps a ten-second timer after a query (its statistics' idle flush), which holds the worker open.
    closeWhenWorkerEnds(WORKER_PGLITE, closeWorkerPglite);
  }
  lease.lent = true;
  try {
    return await lend(await lease.client, () => {
      lease.lent = false;
    });
  } catch (err) {
    lease.lent = false;
    throw err;
  }
}

/** Closes the PGlite lent in this process, if any. */
async function closeWorkerPglite(): Promise<void> {
  const worker = workerSlots<WorkerPglite>();
  const lease = worker[WORKER_PGLITE];
  worker[WORKER_PGLITE] = undefined;
  await lease?.client.then((client) => client.close()).catch(() => undefined);
}

/** A handle on the worker's PGlite for one file: closing it gives the PGlite back (`giveBack`), open. */
async function lend(client: PGliteClient, giveBack: () => void): Promise<DatabaseHandle> {
  let closed = false;
  const query = (text: string, params?: unknown[]) => {
    if (closed) return Promise.reject(new Error('PGlite is closed'));
    return client.query(text, params);
  };
  // The dialect closes what it was given on destroy: it is given this, not the worker's PGlite.
  const borrowed = { query, close: async () => undefined };
  const db = new Kysely<Database>({ dialect: new PGliteDialect(borrowed as never) });
  // Whatever the last borrower left open or set: a transaction, settings, prepared statements.
  await client.exec('rollback');
  await client.exec('discard all');
  const handle: DatabaseHandle = {
    db,
    kind: 'pglite',
    async ping() {
      await query('select 1');
    },
    async close() {
      if (closed) return;
      await db.destroy();
      closed = true;
      giveBack();
    },
  };
  await resetDatabase(handle);
  return handle;
}

interface ResetPlan {
  tables: string[];
  sequences: string[];
}

let resetPlan: ResetPlan | undefined;

/**
 * Empties every table (but the migration bookkeeping) so each test starts from nothing, and starts
 * every sequence again. In one transaction, by `delete` with the foreign-key triggers off for it
 * (`set local session_replication_role`), not `truncate`: a test leaves a handful of rows, and
 * truncating 47 tables gives each table and index a new file.
 */
export async function resetDatabase(handle: DatabaseHandle): Promise<void> {
  if (!resetPlan) {
    const tables = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'`.execute(handle.db);
    const sequences = await sql<{ name: string }>`
      select sequencename as name from pg_sequences where schemaname = 'public'`.execute(handle.db);
    resetPlan = { tables: tables.rows.map((r) => r.name), sequences: sequences.rows.map((r) => r.name) };
  }
  const body = [
    'set local session_replication_role = replica',
    ...resetPlan.tables.map((t) => `delete from "${t}"`),
    ...resetPlan.sequences.map((s) => `alter sequence "${s}" restart`),
  ];
  // On PostgreSQL the app's own background work (an outbox job the previous test made due, a
  // learner's tick) may be writing while the reset runs. Rows it committed after a table was emptied
  // would stay behind, under ids the restarted sequences hand out again (a later insert then fails
  // with a duplicate key: seen once as a 500 in CI). Every table is locked first, so such work
  // either finishes before the reset or starts after it, on empty tables. A deadlock with it is
  // settled by PostgreSQL in a second and the reset is tried again.
  const lock = `lock table ${resetPlan.tables.map((t) => `"${t}"`).join(', ')} in access exclusive mode`;
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.db.connection().execute(async (conn) => {
        const run = (statement: string) => conn.executeQuery(CompiledQuery.raw(statement));
        try {
          // PostgreSQL takes it all in one message (a simple query); PGlite one statement at a time.
          if (handle.kind === 'postgres') await run(['begin', body[0], lock, ...body.slice(1), 'commit'].join(';\n'));
          else {
            await run('begin');
            for (const statement of body) await run(statement);
            await run('commit');
          }
        } catch (err) {
          await run('rollback').catch(() => undefined);
          throw err;
        }
      });
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
    }
  }
}

const SKIPPED = ' (skipped: set DATABASE_URL to a PostgreSQL server to run it)';

/** Tests that need a PostgreSQL server (a second connection, NOTIFY): skipped without DATABASE_URL, saying so in the title. */
export function describeOnPostgres(title: string, fn: () => void): void {
  if (process.env.DATABASE_URL) describe(title, fn);
  else describe.skip(`${title}${SKIPPED}`, fn);
}

/** One test that needs a PostgreSQL server, as `describeOnPostgres`. */
export function itOnPostgres(title: string, fn: () => Promise<void>, timeout?: number): void {
  if (process.env.DATABASE_URL) it(title, fn, timeout);
  else it.skip(`${title}${SKIPPED}`, fn, timeout);
}

/** The plan PostgreSQL would run for a compiled statement: every node, flattened (`explain`, not run). */
export async function planOf(db: Db, compiled: { sql: string; parameters: readonly unknown[] }): Promise<any[]> {
  const result = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]));
  const raw = result.rows[0]!['QUERY PLAN'];
  const nodes = (plan: any): any[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
  return nodes(((typeof raw === 'string' ? JSON.parse(raw) : raw) as any[])[0].Plan);
}

/**
 * A test file's database, opened before its tests, emptied before each and closed after them all:
 * `const database = useTestDatabase();` then `database.handle` inside a test.
 */
export function useTestDatabase(): { readonly handle: DatabaseHandle } {
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle!);
  });
  return {
    get handle() {
      if (!handle) throw new Error('useTestDatabase: the database opens in beforeAll');
      return handle;
    },
  };
}
