import type { Command } from 'commander';
import { formatRetention, runRetention } from '../../privacy/retention.service';
import { type CliIo, type CliOptions, withDatabase } from '../context';

export function registerRetention(program: Command, io: CliIo, options: CliOptions): void {
  program
    .command('retention:run')
    .description('purge what each site keeps past its retention periods')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(options, async ({ db }) => {
        const report = await runRetention({ db });
        io.out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatRetention(report));
      });
    });
}
