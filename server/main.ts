import type { Logger } from 'pino';
import { createParley } from './app';
import { ConfigError, type Config, loadConfig } from './config';
import { type DatabaseHandle, openPglite, openPostgres } from './db';
import { collectWhenIdle } from './idle-gc';
import { createLogger } from './log';
import { ensureFirstAdmin } from './members/member.service';
import { DEMO_SITE_ID, ensureDemo } from './seed/demo';

export async function openDatabase(config: Config, log: Logger): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return openPostgres({
      connectionString: config.databaseUrl,
      onPoolError: (err) => log.warn({ err: err.message }, 'database connection lost'),
    });
  }
  log.info({ dataDir: config.dataDir }, 'using the embedded database (PGlite)');
  return openPglite({ dataDir: config.dataDir });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  if (!config.rateLimits) log.warn('PARLEY_RATE_LIMITS=off: flood and rate limits are disabled. Use this for load tests only.');
  if (!config.abuseChecks) log.warn('PARLEY_ABUSE_CHECKS=off: no risk scores, proof of work or spam learning. Use this for measurements only.');

  let database: DatabaseHandle;
  try {
    database = await openDatabase(config, log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not open the database');
    process.exit(1);
  }

  const parley = await createParley({ config, database, log });
  const demo = await ensureDemo(parley.deps, config.publicOrigin);
  if (demo.created) log.info('created the demo site and its sample thread');
  const admin = await ensureFirstAdmin(parley.deps.db, DEMO_SITE_ID);
  if (admin) {
    // Shown once, on the console only: the operator signs in with it and changes it.
    process.stdout.write(
      `\n  First start: created the admin account ${admin.email}\n  Password (shown only this once): ${admin.password}\n` +
        `  Change it after signing in, or set a new one with: npm run parley -- members:reset-password ${admin.email}\n\n`,
    );
    log.info({ member: admin.email }, 'created the first admin account (password printed once above)');
  }

  // Embedded mode shares its process with the database: hand back what a burst of traffic grew.
  if (database.kind === 'pglite') collectWhenIdle(parley.server);
  await new Promise<void>((resolve) => parley.server.listen(config.port, config.host, resolve));
  const address = parley.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ port, publicUrl: config.publicUrl }, `Parley is listening on ${config.publicUrl} (demo: ${config.publicUrl}/demo)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await parley.close();
      await database.close();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`Parley failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
