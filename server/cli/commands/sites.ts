import type { Command } from 'commander';
import { CreateSiteSchema } from '../../sites/site.schema';
import { createSite } from '../../sites/site.service';
import * as siteRepo from '../../sites/site.repo';
import { CliError, type CliIo, type CliOptions, EXIT, withDatabase } from '../context';

export function registerSites(program: Command, io: CliIo, options: CliOptions): void {
  program
    .command('sites:list')
    .description('list sites with their allowed origins')
    .action(async () => {
      await withDatabase(options, async ({ db }) => {
        for (const site of await siteRepo.listSites(db)) {
          io.out.write(`${site.id}\t${site.name}\t${(site.origins as unknown as string[]).join(' ')}\n`);
        }
      });
    });

  program
    .command('sites:create')
    .description('create a site')
    .argument('<id>', 'the site id: lower-case letters, digits and dashes')
    .requiredOption('--name <name>', 'the publication’s name')
    .option('--origin <origin...>', 'an origin allowed to embed the widget, e.g. https://news.example (repeatable)')
    .action(async (id: string, opts: { name: string; origin?: string[] }) => {
      const parsed = CreateSiteSchema.safeParse({ id, name: opts.name, origins: opts.origin ?? [] });
      if (!parsed.success) {
        throw new CliError(EXIT.usage, parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
      }
      await withDatabase(options, async ({ db }) => {
        const site = await createSite(db, parsed.data);
        io.out.write(`Created site ${site.id} (${site.name}).\n`);
      });
    });
}
