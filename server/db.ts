import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, type RawBuilder, sql, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import lockfile from 'proper-lockfile';
import pg from 'pg';
import type { Database } from '../db/schema';
import { migrationProvider } from '../db/migrations';
import type { DomainEventName, DomainEvents, EventBus, LastStatement, SharedLast } from './events';
import { initPgliteDataDir, pgliteStartParams } from './pglite-init';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A repository function that accepts either, for reads that may run inside or outside a transaction. */
export type Executor = Db | Tx;

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The pg pool when on PostgreSQL (the Socket.IO adapter shares the server). */
  pool?: pg.Pool;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball (test snapshots, backups). */
  dump?(): Promise<Blob>;
}

// int8 (count(*), sums) as numbers: every count Parley keeps fits comfortably.
pg.types.setTypeParser(20, (value) => Number(value));

export interface PgOptions {
  connectionString: string;
  max?: number;
  onPoolError?: (err: Error) => void;
  /** Client-side limit per query; 0 for none (long imports and exports from the command line). */
  queryTimeoutMs?: number;
}

/**
 * Statements that run on every post or page begin with this comment: each connection prepares them
 * once (by a name derived from their text) and PostgreSQL keeps their plans, instead of parsing and
 * planning them again on every call. Only these: an unbounded set of texts would each hold a plan on
 * every connection. PGlite ignores the comment.
 */
export const PREPARED_PREFIX = '/* prepared */ ';
export const PREPARED = sql.raw(PREPARED_PREFIX);

/**
 * A prepared statement that opens its own transaction (transactionCommittingWith's first, on
 * PostgreSQL): sent as one simple query, `begin` and the statement's `EXECUTE` (`OneTrip`),
 * one round trip instead of two; it answers with the statement's rows. Its parameters are inlined
 * as quoted literals (strings and numbers only). PGlite ignores the comment.
 */
export const BEGIN_PREPARED_PREFIX = '/* begin; prepared */ ';
const BEGIN_PREPARED = sql.raw(BEGIN_PREPARED_PREFIX);

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `parley_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A statement of a one-trip text to run as `EXECUTE` of a statement prepared in the session. */
interface SessionStatement {
  name: string;
  body: string;
  literals: string[];
}

/**
 * Several statements sent as one simple query (`begin; …` or `…; commit`), some of them run from a
 * session-prepared statement. Handed to the connection's client as the query's only parameter: the
 * client knows which statements its session has prepared, and writes the text.
 */
class OneTrip {
  /**
   * With `answers`, the query answers with each part's rows (`rows` is one array per part, in order):
   * every part is then one statement.
   */
  constructor(
    readonly parts: Array<string | SessionStatement>,
    readonly answers = false,
  ) {}
}

function sessionStatement(text: string, literals: string[]): SessionStatement {
  // Its name differs from the one `PreparingClient` gives the same text at the protocol level, so the two never collide.
  return { name: `${statementName(text)}_s`, body: text.slice(PREPARED_PREFIX.length), literals };
}

class PreparingClient extends pg.Client {
  /** Statements this session has prepared (`PREPARE … AS`): a one-trip text runs them with `EXECUTE` alone. */
  private readonly prepared = new Set<string>();
  /**
   * Statements whose `PREPARE` went in a text that failed: it may have run (a prepared statement
   * outlives a rolled-back transaction) or not. The next text asks the session first (`ensurePrepared`).
   */
  private readonly unsure = new Set<string>();

  /** The text of a one-trip query, the statements it prepares, and how many results each part gives. */
  private render(trip: OneTrip): { text: string; preparing: string[]; counts: number[] } {
    const preparing: string[] = [];
    const counts: number[] = [];
    const texts = trip.parts.map((part) => {
      counts.push(1);
      if (typeof part === 'string') return part;
      const run = part.literals.length ? `execute ${part.name}(${part.literals.join(', ')})` : `execute ${part.name}`;
      if (this.prepared.has(part.name) || preparing.includes(part.name)) return run;
      preparing.push(part.name);
      counts[counts.length - 1] = 2;
      const prepare = `prepare ${part.name} as ${part.body}`;
      return this.unsure.has(part.name) ? `${ensurePrepared(part.name, prepare)};\n${run}` : `${prepare};\n${run}`;
    });
    return { text: texts.join(';\n'), preparing, counts };
  }

  private sendTrip(trip: OneTrip): Promise<pg.QueryResult | pg.QueryResult[]> {
    const { text, preparing, counts } = this.render(trip);
    return (super.query(text) as Promise<pg.QueryResult | pg.QueryResult[]>).then(
      (results) => {
        for (const name of preparing) {
          this.prepared.add(name);
          this.unsure.delete(name);
        }
        if (!trip.answers) return results;
        // Each part's own result is its last one (after its PREPARE, if it carried one).
        const all = Array.isArray(results) ? results : [results];
        let at = 0;
        const rows = counts.map((n) => all[(at += n) - 1]!.rows);
        return { command: 'SELECT', rowCount: rows.length, rows } as unknown as pg.QueryResult;
      },
      (err: unknown) => {
        for (const name of preparing) this.unsure.add(name);
        throw err;
      },
    );
  }

  // pg's query() has many overloads; only (text, values[, callback]) is rewritten.
  override query(...args: any[]): any {
    const [text, values] = args;
    if (args.length === 2 && Array.isArray(values) && values.length === 1 && values[0] instanceof OneTrip) return this.sendTrip(values[0]);
    if (typeof text === 'string' && text.startsWith(BEGIN_PREPARED_PREFIX) && args.length <= 2) {
      const statement = sessionStatement(PREPARED_PREFIX + text.slice(BEGIN_PREPARED_PREFIX.length), literalsOf((values ?? []) as readonly unknown[]));
      // Its results are begin's (and a PREPARE's), then the statement's: the statement's is the answer.
      return this.sendTrip(new OneTrip(['begin', statement])).then((results) => (Array.isArray(results) ? results[results.length - 1]! : results));
    }
    if (typeof text === 'string' && text.startsWith(PREPARED_PREFIX) && (args.length === 1 || Array.isArray(values))) {
      // (text, values) from Kysely; (text, values, callback) from pg.Pool's own query().
      if (args.length <= 2) return super.query({ name: statementName(text), text, values });
      if (args.length === 3 && typeof args[2] === 'function') return super.query({ name: statementName(text), text, values }, args[2]);
    }
    return (super.query as (...a: any[]) => any)(...args);
  }
}

export function openPostgres(options: PgOptions): DatabaseHandle {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A lost database must answer 503 quickly, never hang a request.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    query_timeout: options.queryTimeoutMs === 0 ? undefined : (options.queryTimeoutMs ?? 20_000),
  });
  // An idle client losing its server emits here; without a listener Node would crash the process.
  pool.on('error', (err) => options.onPoolError?.(err));
  // A client in use (inside a transaction between two statements, or a LISTEN connection) losing its
  // server emits on the client itself: without this listener one reset connection kills the process.
  // The statement in progress still fails with the error; the pool discards the client.
  pool.on('connect', (client) => {
    client.on('error', (err) => options.onPoolError?.(err));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    pool,
    async ping() {
      const client = await pool.connect();
      try {
        await client.query('select 1');
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

export interface PgliteOptions {
  /** A directory to keep data in; omitted for an in-memory database. */
  dataDir?: string;
  /** A tarball from dumpDataDir() to start from (tests start from a migrated snapshot). */
  loadDataDir?: Blob | File;
}

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(
      `The data directory ${dir} is in use by another Parley process. Stop it first, or set DATA_DIR ` +
        `to another directory (or DATABASE_URL to use PostgreSQL, which many processes can share).`,
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Locks the data directory for this process. The lock is a directory whose mtime the holder keeps
 * fresh; a holder killed without releasing it (SIGKILL, OOM) leaves it behind, so the holder's pid is
 * kept beside it: when that process is gone, the lock is taken over at once instead of after the
 * staleness timeout.
 */
const lockedHere = new Set<string>();

async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  if (lockedHere.has(path.resolve(dir))) throw new DataDirLockedError(dir);
  const lockfilePath = path.join(dir, 'parley.lock');
  const pidFile = path.join(dir, 'parley.pid');
  const options = { stale: 15_000, update: 5_000, lockfilePath };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const holder = Number.parseInt(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '', 10);
    // Our own pid in the file means a previous incarnation (a restarted container reuses pid 1).
    const dead = Number.isInteger(holder) && (holder === process.pid || !isAlive(holder));
    if (!dead) throw new DataDirLockedError(dir);
    fs.rmSync(lockfilePath, { recursive: true, force: true });
    release = await lockfile.lock(dir, options);
  }
  fs.writeFileSync(pidFile, String(process.pid));
  lockedHere.add(path.resolve(dir));
  return async () => {
    lockedHere.delete(path.resolve(dir));
    fs.rmSync(pidFile, { force: true });
    await release();
  };
}

export async function openPglite(options: PgliteOptions = {}): Promise<DatabaseHandle> {
  // Loaded lazily: the PostgreSQL path never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  let release: (() => Promise<void>) | undefined;
  let dataPath: string | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    // PGlite is single-process: two processes on one directory would corrupt it.
    release = await lockDataDir(options.dataDir);
    dataPath = path.join(options.dataDir, 'pgdata');
  }
  let client;
  try {
    const startParams = pgliteStartParams(PGlite.defaultStartParams);
    if (dataPath && !options.loadDataDir) await initPgliteDataDir(dataPath, startParams);
    client = await PGlite.create({ dataDir: dataPath, loadDataDir: options.loadDataDir, startParams });
  } catch (err) {
    await release?.();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client as never) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    async dump() {
      return client.dumpDataDir('none');
    },
    async ping() {
      if (closed) throw new Error('PGlite is closed');
      await client.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // closes the PGlite instance, flushing it to disk
      await release?.();
    },
  };
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Unordered: issues land in any order, and a database migrated by a later-numbered one must still accept earlier ones.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) throw new Error(`Migration ${failed.migrationName} failed`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * A unit of work: the Kysely transaction and the events to publish once it commits. Events emitted
 * inside a rolled-back transaction are dropped, so no reader sees a change that did not happen.
 */
export interface UnitOfWork {
  trx: Tx;
  /** Runs the event's in-transaction writers (bus.within) now, and publishes it after commit. */
  record<K extends DomainEventName>(name: K, payload: DomainEvents[K]): Promise<void>;
  /** Publishes after commit only: for events no in-transaction writer listens to. */
  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void;
  afterCommit(fn: () => void): void;
  /** A statement to run at the end of the transaction, before its commit (WriterContext.last). */
  last(statement: LastStatement): void;
}

export type { LastStatement, SharedLast } from './events';

/** The statements to run, shared ones built once for their key. */
export function lastStatements(list: ReadonlyArray<LastStatement | undefined>): Array<RawBuilder<unknown>> {
  const out: Array<RawBuilder<unknown> | { shared: SharedLast; inputs: unknown[] }> = [];
  const byKey = new Map<string, { shared: SharedLast; inputs: unknown[] }>();
  for (const statement of list) {
    if (!statement) continue;
    if (!('build' in statement)) {
      out.push(statement);
      continue;
    }
    let group = byKey.get(statement.key);
    if (!group) {
      byKey.set(statement.key, (group = { shared: statement, inputs: [] }));
      out.push(group);
    }
    group.inputs.push(statement.input);
  }
  return out.map((s) => ('shared' in s ? s.shared.build(s.inputs) : s));
}

/**
 * A unit of work over `trx`; what it queues for after the commit goes to `pending`, and the
 * statements for the end of the transaction to `last`: both the caller's to run.
 */
export function unitOfWork(trx: Tx, bus: EventBus, pending: Array<() => void>, last: LastStatement[]): UnitOfWork {
  const emit: UnitOfWork['emit'] = (name, payload) => pending.push(() => bus.emit(name, payload));
  const afterCommit = (cb: () => void) => void pending.push(cb);
  const context = { afterCommit, last: (statement: LastStatement) => void last.push(statement) };
  return {
    trx,
    emit,
    async record(name, payload) {
      for (const write of bus.writersOf(name)) await write(trx, payload, context);
      emit(name, payload);
    },
    ...context,
  };
}

export interface TxDeps {
  db: Db;
  bus: EventBus;
}

/**
 * A SQL condition's value in a statement that must fail when it does not hold: true, or an error
 * whose message carries `message` and `detail` (the caller reads it back with `failureDetail`).
 * Plain SQL cannot raise, so the failure casts a text that is no boolean to one; `detail` (a column)
 * keeps that text from being a constant the planner would fold and raise before the rows are known.
 * A failed statement writes nothing, and a transaction it was part of cannot commit.
 */
export function trueOrFail(condition: RawBuilder<unknown>, message: string, detail: RawBuilder<unknown>) {
  return sql<boolean>`case when ${condition} then true else (${sql.lit(message)} || ' ' || ${detail})::boolean end`;
}

/** The detail of an error `trueOrFail` raised with this message; undefined for any other error. */
export function failureDetail(err: unknown, message: string): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const at = err.message.indexOf(`${message} `);
  if (at < 0) return undefined;
  // PostgreSQL quotes the text it could not read as a boolean.
  return err.message.slice(at + message.length + 1).replace(/"$/, '');
}

/**
 * A transaction whose commit carries its last statements (those `fn` returns). On PostgreSQL they
 * go with the commit as one simple query (`<statements>; commit`): one round trip instead of
 * several, where a busy thread's next batch is waiting for this commit (thread-writer.ts). If one
 * of them fails, the rest and the commit are skipped and the transaction rolls back. Their
 * parameters are inlined as quoted literals (strings and numbers only).
 *
 * A simple query is planned afresh each time; a statement marked `PREPARED` is instead prepared
 * once per connection under a name of its own and run with `EXECUTE` (`OneTrip`: the first text
 * on a connection carries its `PREPARE`), so a large statement is not planned again on every batch.
 * PGlite runs the statements one by one.
 *
 * On PostgreSQL (`oneTrip`) the `begin` goes with fn's first statement too, which must start with
 * the `opening` fn is given (`BEGIN_PREPARED_PREFIX`): the transaction's first round trip is its first
 * statement's. Elsewhere `opening` is `PREPARED` and the transaction began before fn.
 */
export async function transactionCommittingWith(
  db: Db,
  oneTrip: boolean,
  fn: (trx: Tx, opening: RawBuilder<unknown>) => Promise<Array<LastStatement | undefined>>,
): Promise<void> {
  await db.connection().execute(async (conn) => {
    // With oneTrip, fn's first statement opens the transaction: it begins with `opening`.
    if (!oneTrip) await sql`begin`.execute(conn);
    try {
      // The connection's own Kysely, inside the transaction this function opened and closes.
      const last = lastStatements(await fn(conn as unknown as Tx, oneTrip ? BEGIN_PREPARED : PREPARED));
      if (oneTrip && last.length) {
        const parts = last.map((statement) => tripPart(statement, conn));
        // The client writes the text: it knows which of these its session has prepared already.
        await conn.executeQuery(CompiledQuery.raw('/* one trip */', [new OneTrip([...parts, 'commit'])]));
      } else {
        for (const statement of last) await statement.execute(conn);
        await sql`commit`.execute(conn);
      }
    } catch (err) {
      // Rolls back what is left open (a failed statement, or a commit the connection lost).
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}

/** A statement as a part of a one-trip text: `EXECUTE` of its session statement when it is PREPARED, else inlined. */
function tripPart(statement: RawBuilder<unknown>, executor: Executor): string | SessionStatement {
  const { sql: text, parameters } = statement.compile(executor);
  const literals = literalsOf(parameters);
  if (text.startsWith(PREPARED_PREFIX)) return sessionStatement(text, literals);
  return text.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!);
}

/**
 * A statement's parameters as literals, to be sent inlined: strings and numbers quoted, booleans as
 * quoted `true`/`false`, null as `null`. Anything else (a Date, an object) is refused: its text
 * would depend on how it is turned into one.
 */
function literalsOf(values: readonly unknown[]): string[] {
  return values.map((value) => {
    if (value === null) return 'null';
    if (typeof value === 'boolean') return value ? "'true'" : "'false'";
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error('an inlined statement takes strings, numbers, booleans and nulls only');
    return literal(String(value));
  });
}

/**
 * Reads sent in the same turn of the event loop, gathered into one round trip (PostgreSQL; elsewhere
 * each runs as it comes). Under load, posts arrive in bursts (a batch's commit answers several
 * readers at once, and their next posts come together), and each post's first read was a round trip
 * of its own: its write to the socket alone was a tenth of a post's CPU time.
 *
 * The gathered statements go as one simple query of `EXECUTE`s (`OneTrip`), one implicit
 * transaction: a statement that fails fails them all, so when PostgreSQL refused one of them, each
 * runs again on its own and only that one fails. A lost connection or a timeout fails them all at
 * once, as it would have failed each. Each statement must be PREPARED or small: it is inlined.
 */
export type GatheredReads = <R>(statement: RawBuilder<R>) => Promise<R[]>;

export function gatheredReads(db: Db, gather: boolean): GatheredReads {
  const alone = <R>(statement: RawBuilder<R>) => statement.execute(db).then((result) => result.rows);
  if (!gather) return alone;
  type Read = { statement: RawBuilder<unknown>; resolve: (rows: unknown[]) => void; reject: (err: unknown) => void };
  let group: Read[] | undefined;
  const runAlone = (read: Read) => void alone(read.statement).then(read.resolve, read.reject);
  const send = async (group: Read[]) => {
    // A statement that cannot be inlined (a parameter that is not a string, number, boolean or null) goes alone.
    const reads: Read[] = [];
    const parts: Array<string | SessionStatement> = [];
    for (const read of group) {
      try {
        parts.push(tripPart(read.statement, db));
        reads.push(read);
      } catch {
        runAlone(read);
      }
    }
    if (reads.length <= 1) return reads.forEach(runAlone);
    let answers: unknown[][];
    try {
      answers = (await db.executeQuery<unknown[]>(CompiledQuery.raw('/* one trip */', [new OneTrip(parts, true)]))).rows;
    } catch (err) {
      if (!refusedStatement(err)) return reads.forEach((read) => read.reject(err));
      return reads.forEach(runAlone);
    }
    reads.forEach((read, i) => read.resolve(answers[i]!));
  };
  return <R>(statement: RawBuilder<R>) =>
    new Promise<R[]>((resolve, reject) => {
      if (!group) {
        const reads: Read[] = (group = []);
        setImmediate(() => {
          group = undefined;
          void send(reads);
        });
      }
      group.push({ statement, resolve: resolve as (rows: unknown[]) => void, reject });
    });
}

/** PostgreSQL refused a statement (not: lost the connection, ran out of time or of resources). */
function refusedStatement(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError) || typeof err.code !== 'string') return false;
  return !['08', '53', '57', '58', 'XX'].includes(err.code.slice(0, 2));
}

/**
 * A quoted SQL literal. Most values here (ids, JSON of a batch, sealed answers in base64) have no
 * quote or backslash, and quoting them is then just the quotes: pg's escapeLiteral walks every
 * character of every value, kilobytes a batch, while the thread's lock is held.
 */
function literal(value: string): string {
  if (!value.includes("'") && !value.includes('\\')) return `'${value}'`;
  // As pg.escapeLiteral writes it (an E'' string: right whatever standard_conforming_strings says),
  // by two regular expressions rather than a loop over every character: a batch's JSON has quotes.
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A block that prepares a statement unless the session has it already. */
function ensurePrepared(name: string, prepare: string): string {
  return `do ${dollarQuoted(`begin if not exists (select 1 from pg_prepared_statements where name = '${name}') then execute ${pg.escapeLiteral(prepare)}; end if; end`)}`;
}

/** A dollar-quoted string whose tag does not occur in it. */
function dollarQuoted(value: string): string {
  let tag = 'q';
  while (value.includes(`$${tag}$`)) tag += 'q';
  return `$${tag}$${value}$${tag}$`;
}

export async function inTransaction<T>(
  deps: TxDeps,
  fn: (uow: UnitOfWork) => Promise<T>,
  outer?: UnitOfWork,
): Promise<T> {
  // Reuse the caller's transaction: the outermost one owns the commit and the publishing.
  if (outer) return fn(outer);
  const pending: Array<() => void> = [];
  const result = await deps.db.transaction().execute(async (trx) => {
    const last: LastStatement[] = [];
    const value = await fn(unitOfWork(trx, deps.bus, pending, last));
    for (const statement of lastStatements(last)) await statement.execute(trx);
    return value;
  });
  for (const run of pending) run();
  return result;
}
