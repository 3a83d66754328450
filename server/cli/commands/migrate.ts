import type { Command } from 'commander';
import { type CliIo, type CliOptions, withDatabase } from '../context';

export function registerMigrate(program: Command, io: CliIo, options: CliOptions): void {
  program
    .command('migrate')
    .description('apply every pending database migration')
    .action(async () => {
      await withDatabase(options, async () => {
        io.out.write('The database is up to date.\n');
      });
    });
}
