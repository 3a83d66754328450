import fs from 'node:fs';
import readline from 'node:readline';
import { sql } from 'kysely';
import { renderBody } from '../comments/comment.render';
import { SiteIdSchema } from '../sites/site.schema';
import * as archivePolls from './archive-polls.repo';
import * as archiveStaff from './archive-staff.repo';
import * as archiveRepo from './archive.repo';
import { ArchiveRecord, type ArchiveRecordOf } from './archive.schema';
import { createTouchedTable, touchThreads } from './finish.repo';
import { finishThreads, importTransaction } from './finish.service';
import { ImportFileError, importFileSize } from './import.errors';
import { emptyStatusCounts, type ImportReport, ReasonLog } from './import.report';
import type { ImportDeps, ImportProgress } from './import.service';

export interface ArchiveImportOptions {
  siteId: string;
  file: string;
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

type Line<T extends ArchiveRecord['type']> = { line: number; record: ArchiveRecordOf<T> };
const BATCH = 500;

/**
 * Restores a Parley archive (archive.schema.ts) into a site, keeping every id, in one transaction.
 * Records already present in the site are left alone, so running it twice changes nothing; an id
 * that belongs to another site stops the restore, since ids are kept and cannot be shared.
 */
export async function importArchive(deps: ImportDeps, options: ArchiveImportOptions): Promise<ImportReport> {
  const siteCheck = SiteIdSchema.safeParse(options.siteId);
  if (!siteCheck.success) throw new ImportFileError(`"${options.siteId}" is not a valid site id: ${siteCheck.error.issues[0].message}`);
  const totalBytes = await importFileSize(options.file);
  const progress = options.onProgress ?? (() => {});
  return importTransaction(deps, !!options.dryRun, async (uow) => {
    const { trx } = uow;
    await sql`set local statement_timeout = 0`.execute(trx);
    await archiveRepo.createArchiveTables(trx);
    const notes = new ReasonLog();
    const ctx: archiveRepo.ArchiveContext = { trx, siteId: options.siteId, notes, now: deps.clock?.now() ?? new Date() };
    const seen: Record<string, number> = {};
    const stats = { threadsCreated: 0, threadsMatched: 0, commenters: 0, comments: 0, existing: 0, polls: 0, ballots: 0, members: 0, bans: 0, log: 0, presets: 0 };
    let header = false;
    let site = false;
    let end: Line<'end'> | null = null;
    let lineNo = 0;
    let pending: Array<Line<ArchiveRecord['type']>> = [];

    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const type = batch[0].record.type;
      if (type === 'thread') {
        const r = await archiveRepo.insertThreads(ctx, batch as Line<'thread'>[]);
        stats.threadsCreated += r.created;
        stats.threadsMatched += r.matched;
      } else if (type === 'commenter') stats.commenters += await archiveRepo.insertCommenters(ctx, batch as Line<'commenter'>[]);
      else if (type === 'comment') {
        const r = await archiveRepo.insertComments(ctx, batch as Line<'comment'>[], renderBody);
        stats.comments += r.inserted;
        stats.existing += r.existing;
      } else if (type === 'reaction') await archiveRepo.insertReactions(ctx, batch as Line<'reaction'>[]);
      else if (type === 'flag') await archiveRepo.insertFlags(ctx, batch as Line<'flag'>[]);
      else if (type === 'poll') stats.polls += await archivePolls.insertPolls(ctx, batch as Line<'poll'>[]);
      else if (type === 'ballot') stats.ballots += await archivePolls.insertBallots(ctx, batch as Line<'ballot'>[]);
      else if (type === 'member') stats.members += await archiveStaff.insertMembers(ctx, batch as Line<'member'>[]);
      else if (type === 'preset') stats.presets += await archiveStaff.insertPresets(ctx, batch as Line<'preset'>[]);
      else if (type === 'ban') stats.bans += await archiveStaff.insertBans(ctx, batch as Line<'ban'>[]);
      else if (type === 'log') stats.log += await archiveStaff.insertLog(ctx, batch as Line<'log'>[]);
    };

    const input = fs.createReadStream(options.file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
    let bytes = 0;
    input.on('data', (chunk) => (bytes += Buffer.byteLength(chunk as string)));
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    // An error mid-file must not leave the file open behind it.
    try {
      for await (const text of lines) {
        lineNo++;
        if (!text.trim()) continue;
        if (end) throw new ImportFileError('there is more after the end record', lineNo);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (err) {
          throw new ImportFileError(`not a JSON object (${(err as Error).message})`, lineNo);
        }
        const parsed = ArchiveRecord.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
          throw new ImportFileError(`not a valid archive record: ${where}${issue.message}`, lineNo);
        }
        const record = parsed.data;
        if (!header) {
          if (record.type !== 'header') throw new ImportFileError('a Parley archive starts with its header record', lineNo);
          header = true;
          continue;
        }
        if (record.type === 'header') throw new ImportFileError('a second header record', lineNo);
        if (record.type !== 'end') seen[record.type] = (seen[record.type] ?? 0) + 1;
        if (record.type === 'site') {
          if (site) throw new ImportFileError('a second site record', lineNo);
          site = true;
          await archiveRepo.ensureSite(ctx, record);
          continue;
        }
        if (!site) throw new ImportFileError('the site record must come before the rest of the archive', lineNo);
        if (record.type === 'end') {
          end = { line: lineNo, record };
          continue;
        }
        if (pending.length && (pending[0].record.type !== record.type || pending.length >= BATCH)) await flush();
        pending.push({ line: lineNo, record });
        if (lineNo % 1000 === 0) progress({ phase: 'reading', bytes, totalBytes, comments: stats.comments });
      }
    } finally {
      lines.close();
      input.destroy();
    }
    await flush();
    if (!header) throw new ImportFileError('the file is empty: a Parley archive starts with its header record', 1);
    if (!end) throw new ImportFileError('the archive has no end record: it was cut short, restore from a complete file', lineNo);
    for (const [type, count] of Object.entries(end.record.counts)) {
      if ((seen[type] ?? 0) !== count) {
        throw new ImportFileError(`the end record counts ${count} ${type} records but the file has ${seen[type] ?? 0}`, end.line);
      }
    }

    progress({ phase: 'linking' });
    await archiveRepo.linkRestoredComments(ctx);
    await archivePolls.verifyTallies(ctx);
    progress({ phase: 'finishing' });
    await createTouchedTable(uow);
    await touchThreads(uow, sql`select distinct thread_id from arc_new_comments`);
    const touched = await finishThreads(uow);

    const imported = emptyStatusCounts();
    for (const row of await archiveRepo.newCommentsByStatus(trx)) imported[row.status] = row.n;
    const report: ImportReport = {
      format: 'parley',
      siteId: options.siteId,
      dryRun: !!options.dryRun,
      threads: { created: stats.threadsCreated, matched: stats.threadsMatched, withoutComments: 0 },
      comments: { imported, total: stats.comments, alreadyImported: stats.existing },
      commenters: { created: stats.commenters },
      polls: { imported: stats.polls, ballots: stats.ballots },
      moderation: { members: stats.members, bans: stats.bans, logEntries: stats.log, presets: stats.presets },
      skipped: [],
      notes: notes.list(),
    };
    return { report, touched };
  });
}
