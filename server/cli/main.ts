import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { migrateToLatest } from '../db';
import { AppError } from '../errors';
import { openDatabase } from '../main';
import { createApiKey } from '../members/apikey.service';
import * as memberRepo from '../members/member.repo';
import { RoleSchema } from '../members/member.schema';
import { createMember, resetPassword } from '../members/member.service';
import { writeLog } from '../moderation/audit.repo';
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
  'members:create':
    'members:create <email> [--name <name>] [--site <id> --role admin|moderator|journalist]   create a member (prints a password once)',
  'members:reset-password': 'members:reset-password <email>   set a new password (printed once) and end their sessions',
  'keys:create': 'keys:create <site> [--name <label>]   create a site API key (printed once)',
  'retention:run': 'retention:run [--json]          purge what each site keeps past its retention periods',
};

function usage(): string {
  return `Usage: npm run parley -- <command> [options]\n\nCommands:\n${Object.values(HELP).map((l) => `  ${l}`).join('\n')}\n`;
}

type Output = { write(text: string): unknown };

export async function runCli(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
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
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      site: { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    out.write(`Usage: npm run parley -- ${HELP[command]}\n`);
    return 0;
  }

  if (command === 'members:create' && (!positionals[0] || !RoleSchema.safeParse(values.role ?? 'moderator').success || (values.role && !values.site))) {
    err.write(`Usage: npm run parley -- ${HELP[command]}\n`);
    return 65;
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
      case 'members:create': {
        const role = RoleSchema.parse(values.role ?? 'moderator');
        if (values.site && !(await siteRepo.findSite(database.db, values.site))) {
          err.write(`There is no site "${values.site}".\n`);
          return 65;
        }
        const { member, password } = await createMember(database.db, { email: positionals[0]!, name: values.name });
        if (values.site) {
          await memberRepo.upsertRole(database.db, values.site, member.id, role);
          await writeLog(database.db, { siteId: values.site, action: 'member.add', targetType: 'member', targetId: member.id, to: role, details: { email: member.email, via: 'cli' } });
        }
        out.write(`Created ${member.email}${values.site ? ` (${role} of ${values.site})` : ''}.\nPassword (shown only this once): ${password}\n`);
        return 0;
      }
      case 'members:reset-password': {
        if (!positionals[0]) {
          err.write(`Usage: npm run parley -- ${HELP[command]}\n`);
          return 65;
        }
        const { member, password } = await resetPassword(database.db, positionals[0]);
        out.write(`New password for ${member.email} (shown only this once): ${password}\nTheir other sessions have ended.\n`);
        return 0;
      }
      case 'keys:create': {
        const siteId = positionals[0];
        if (!siteId || !(await siteRepo.findSite(database.db, siteId))) {
          err.write(siteId ? `There is no site "${siteId}".\n` : `Usage: npm run parley -- ${HELP[command]}\n`);
          return 65;
        }
        const { key, secret } = await createApiKey(database.db, { siteId, name: values.name ?? 'API key', createdBy: null });
        await writeLog(database.db, { siteId, action: 'key.create', targetType: 'key', targetId: key.id, details: { name: key.name, via: 'cli' } });
        out.write(`Created key ${key.id} for ${siteId}. Use it as "Authorization: Bearer <key>":\n${secret}\n`);
        return 0;
      }
      case 'retention:run': {
        const report = await runRetention({ db: database.db });
        out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatRetention(report));
        return 0;
      }
    }
    return 64;
  } catch (error) {
    // A refusal the operator can act on (a taken email, an unknown member): say it, no stack trace.
    if (!(error instanceof AppError)) throw error;
    err.write(`${error.message}\n`);
    return 65;
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
