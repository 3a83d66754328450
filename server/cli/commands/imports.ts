import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { sql } from 'kysely';
import { exportSite } from '../../imports/archive.export';
import { importArchive } from '../../imports/archive.import';
import { formatReport, type ImportReport } from '../../imports/import.report';
import { importComments, type ImportProgress } from '../../imports/import.service';
import { AppError } from '../../errors';
import { SiteIdSchema } from '../../sites/site.schema';
import { CliError, type CliIo, type CliOptions, EXIT, progressBar, withDatabase } from '../context';

/** `parley import` and `parley export`: moving a site's discussions in and out. */
export function registerImports(program: Command, io: CliIo, options: CliOptions): void {
  program
    .command('import')
    .description('import comments from a WordPress (WXR) or Disqus export, or restore a Parley archive')
    .argument('<file>', 'the export file')
    .requiredOption('--site <id>', 'the Parley site to import into (a Parley archive creates it if needed)')
    .addOption(new Option('--format <format>', 'the kind of file').choices(['wxr', 'disqus', 'parley']).makeOptionMandatory())
    .option('--dry-run', 'read and check everything, print the report, write nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Running the same import again changes nothing. A file Parley cannot read stops the import with the
line and the reason (exit code 65), and the database is left as it was.

Examples:
  parley import wordpress.xml --site daily --format wxr --dry-run
  parley import disqus-export.xml --site daily --format disqus
  parley import daily.parley.jsonl --site daily --format parley`,
    )
    .action(async (file: string, opts: { site: string; format: 'wxr' | 'disqus' | 'parley'; dryRun?: boolean; json?: boolean }) => {
      const siteId = SiteIdSchema.safeParse(opts.site);
      if (!siteId.success) throw new CliError(EXIT.usage, `--site "${opts.site}": ${siteId.error.issues[0].message}`);
      const report = await withDatabase(options, async (deps) => {
        const bar = progressBar(io, opts.dryRun ? 'Checking' : 'Importing', 'bytes');
        const onProgress = (p: ImportProgress) => {
          if (p.phase === 'reading') bar?.update(p.bytes, p.totalBytes, ` | ${p.comments} comments`);
          else if (bar && p.phase === 'linking') {
            bar.stop();
            io.err.write('Linking replies to their parents…\n');
          }
          else if (bar && p.phase === 'finishing') io.err.write('Updating counters and telling live readers…\n');
        };
        try {
          const args = { siteId: opts.site, file, dryRun: opts.dryRun, onProgress };
          return opts.format === 'parley' ? await importArchive(deps, args) : await importComments(deps, { ...args, format: opts.format });
        } catch (err) {
          if (err instanceof AppError && err.kind === 'not_found') {
            throw new CliError(EXIT.failure, `${err.message} Create it first: parley sites:create ${opts.site} --name "…"`);
          }
          throw err;
        } finally {
          bar?.stop();
        }
      });
      writeReport(io, report, !!opts.json);
    });

  program
    .command('export')
    .description('write a site’s whole archive (threads, comments and edits, polls and votes, commenters, settings) as JSON Lines')
    .requiredOption('--site <id>', 'the site to export')
    .option('--out <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      `
The archive holds commenters' emails: keep it as safely as the database. It never holds rendered
HTML, network hashes, user agents or password hashes. Restore it with:
  parley import <file> --site <id> --format parley`,
    )
    .action(async (opts: { site: string; out?: string }) => {
      await withDatabase(options, async ({ db }) => {
        const total = await estimateRecords(db, opts.site);
        const bar = opts.out ? progressBar(io, 'Exporting', 'records') : null;
        // Written beside the target and renamed at the end: a failed export never looks complete.
        const partial = opts.out ? path.join(path.dirname(opts.out), `.${path.basename(opts.out)}.partial`) : null;
        const out = partial ? fs.createWriteStream(partial, { mode: 0o600 }) : io.out;
        try {
          const counts = await exportSite(db, opts.site, out, { onProgress: ({ records }) => bar?.update(records, total) });
          if (partial && opts.out) {
            await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
            await fs.promises.rename(partial, opts.out);
            bar?.stop();
            const summary = Object.entries(counts).map(([type, n]) => `${n} ${type}${n === 1 ? '' : 's'}`).join(', ');
            io.err.write(`Exported site "${opts.site}" to ${opts.out}: ${summary}.\n`);
          }
        } catch (err) {
          bar?.stop();
          if (partial) {
            (out as fs.WriteStream).destroy();
            await fs.promises.rm(partial, { force: true });
          }
          throw err;
        }
      });
    });
}

function writeReport(io: CliIo, report: ImportReport, json: boolean) {
  io.out.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
}

async function estimateRecords(db: Parameters<typeof exportSite>[0], siteId: string): Promise<number> {
  const row = await sql<{ n: number }>`
    select (select count(*) from threads where site_id = ${siteId})
         + (select count(*) * 2 from comments where site_id = ${siteId})
         + (select count(*) from polls where site_id = ${siteId}) as n`.execute(db);
  return Number(row.rows[0]?.n ?? 0) + 2;
}
