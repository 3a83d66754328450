import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { migrateToLatest } from '../db';
import { AppError } from '../errors';
import { openDatabase } from '../main';
import { formatRetention, runRetention } from '../privacy/retention.service';
import { CreateSiteSchema } from '../sites/site.schema';
import { createSite } from '../sites/site.service';
import * as siteRepo from '../sites/site.repo';

/**
 * `npm run parley -- <command>`: the operator's tool. It opens the same database the server would
 * (DATABASE_URL or the embedded one in DATA_DIR), so stop an embedded server before using it.
 */
const HELP: Record<string, string> = {
  migrate: 'migrate                         apply every pending database migration',
  'sites:list': 'sites:list                      list sites with their allowed origins',
  'sites:create': 'sites:create <id> --name <name> [--origin <https://host>]...   create a site',
  'retention:run': 'retention:run [--json]          purge what each site keeps past its retention periods',
};

function usage(): string {
  return `Usage: npm run parley -- <command> [options]\n\nCommands:\n${Object.values(HELP).map((l) => `  ${l}`).join('\n')}\n`;
}

export async function runCli(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out.write(usage());
    return command ? 0 : 64;
  }
  if (!(command in HELP)) {
    err.write(`Unknown command "${command}".\n\n${usage()}`);
    return 64;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: 'string' }, origin: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    out.write(`Usage: npm run parley -- ${HELP[command]}\n`);
    return 0;
  }

  const config = loadConfig();
  const log = pino({ level: 'warn' });
  const database = await openDatabase(config, log);
  try {
    await migrateToLatest(database.db);
    switch (command) {
      case 'migrate':
        out.write('The database is up to date.\n');
        return 0;
      case 'sites:list': {
        for (const site of await siteRepo.listSites(database.db)) {
          out.write(`${site.id}\t${site.name}\t${(site.origins as unknown as string[]).join(' ')}\n`);
        }
        return 0;
      }
      case 'sites:create': {
        const parsed = CreateSiteSchema.safeParse({ id: positionals[0], name: values.name, origins: values.origin ?? [] });
        if (!parsed.success) {
          err.write(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n') + '\n');
          return 65;
        }
        const site = await createSite(database.db, parsed.data);
        out.write(`Created site ${site.id} (${site.name}).\n`);
        return 0;
      }
      case 'retention:run': {
        const report = await runRetention({ db: database.db });
        out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatRetention(report));
        return 0;
      }
    }
    return 64;
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof ConfigError || error instanceof AppError) process.stderr.write(`${error.message}\n`);
      else process.stderr.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
