import type { Command } from 'commander';
import { createApiKey } from '../../members/apikey.service';
import * as memberRepo from '../../members/member.repo';
import { RoleSchema } from '../../members/member.schema';
import { createMember, resetPassword } from '../../members/member.service';
import { writeLog } from '../../audit/audit.repo';
import * as siteRepo from '../../sites/site.repo';
import { CliError, type CliIo, type CliOptions, EXIT, withDatabase } from '../context';

/** Members and API keys: every secret is printed once, never stored in the clear. */
export function registerMembers(program: Command, io: CliIo, options: CliOptions): void {
  program
    .command('members:create')
    .description('create a member (prints a password once)')
    .argument('<email>', 'the member’s email address')
    .option('--name <name>', 'the name shown with their badge')
    .option('--site <id>', 'a site to give them a role on')
    .option('--role <role>', 'admin, moderator or journalist (with --site)', 'moderator')
    .action(async (email: string, opts: { name?: string; site?: string; role: string }) => {
      const role = RoleSchema.safeParse(opts.role);
      if (!role.success) throw new CliError(EXIT.usage, `--role must be admin, moderator or journalist, not "${opts.role}".`);
      await withDatabase(options, async ({ db }) => {
        if (opts.site && !(await siteRepo.findSite(db, opts.site))) throw new CliError(EXIT.badInput, `There is no site "${opts.site}".`);
        const { member, password } = await createMember(db, { email, name: opts.name });
        if (opts.site) {
          await memberRepo.upsertRole(db, opts.site, member.id, role.data);
          await writeLog(db, { siteId: opts.site, action: 'member.add', targetType: 'member', targetId: member.id, to: role.data, details: { email: member.email, via: 'cli' } });
        }
        io.out.write(`Created ${member.email}${opts.site ? ` (${role.data} of ${opts.site})` : ''}.\nPassword (shown only this once): ${password}\n`);
      });
    });

  program
    .command('members:reset-password')
    .description('set a new password (printed once) and end their sessions')
    .argument('<email>', 'the member’s email address')
    .action(async (email: string) => {
      await withDatabase(options, async ({ db }) => {
        const { member, password } = await resetPassword(db, email);
        io.out.write(`New password for ${member.email} (shown only this once): ${password}\nTheir other sessions have ended.\n`);
      });
    });

  program
    .command('keys:create')
    .description('create a site API key (printed once)')
    .argument('<site>', 'the site id')
    .option('--name <label>', 'what the key is for', 'API key')
    .action(async (siteId: string, opts: { name: string }) => {
      await withDatabase(options, async ({ db }) => {
        if (!(await siteRepo.findSite(db, siteId))) throw new CliError(EXIT.badInput, `There is no site "${siteId}".`);
        const { key, secret } = await createApiKey(db, { siteId, name: opts.name, createdBy: null });
        await writeLog(db, { siteId, action: 'key.create', targetType: 'key', targetId: key.id, details: { name: key.name, via: 'cli' } });
        io.out.write(`Created key ${key.id} for ${siteId}. Use it as "Authorization: Bearer <key>":\n${secret}\n`);
      });
    });
}
