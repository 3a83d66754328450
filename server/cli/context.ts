import cliProgress from 'cli-progress';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { type DatabaseHandle, migrateToLatest, openPglite, openPostgres } from '../db';
import { createEventBus, type EventBus } from '../events';

/** Exit codes scripts can rely on (after sysexits.h): 0 done, 1 failed, 64 wrong usage, 65 bad input file. */
export const EXIT = { ok: 0, failure: 1, usage: 64, badInput: 65 } as const;

/** A failure with the exit code it deserves and a message for a person. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface CliOptions {
  /** A database to use instead of the configured one (tests); it is left open. */
  database?: DatabaseHandle;
}

export interface CliDeps {
  database: DatabaseHandle;
  db: DatabaseHandle['db'];
  bus: EventBus;
}

/**
 * Opens the database the server would use (DATABASE_URL, or the embedded one in DATA_DIR), brings
 * it up to date, runs `fn`, and closes it again whatever happens. Long imports and exports are not
 * requests: on PostgreSQL they get no client-side query timeout.
 */
export async function withDatabase<T>(options: CliOptions, fn: (deps: CliDeps) => Promise<T>): Promise<T> {
  let database = options.database;
  const owned = !database;
  if (!database) {
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(EXIT.failure, err.message);
      throw err;
    }
    const log = pino({ level: 'silent' });
    database = config.databaseUrl
      ? openPostgres({ connectionString: config.databaseUrl, max: 2, queryTimeoutMs: 0, onPoolError: (e) => log.warn(e) })
      : await openPglite({ dataDir: config.dataDir });
  }
  try {
    await migrateToLatest(database.db);
    return await fn({ database, db: database.db, bus: createEventBus() });
  } finally {
    if (owned) await database.close();
  }
}

/** A progress bar on stderr when a person is watching; nothing when output goes to a file or a pipe. */
export function progressBar(io: CliIo, label: string, unit: 'bytes' | 'records') {
  if (!io.err.isTTY) return null;
  const format = (n: number) => (unit === 'bytes' ? `${(n / 1_048_576).toFixed(1)} MB` : String(n));
  const bar = new cliProgress.SingleBar(
    {
      stream: io.err as NodeJS.WriteStream,
      format: `${label} [{bar}] {percentage}% | {done} of {size}{extra}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value: number, total: number, extra = '') {
      const payload = { done: format(value), size: format(total), extra };
      if (!started) {
        bar.start(Math.max(total, 1), value, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(value, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
