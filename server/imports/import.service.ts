import type { Clock } from '../clock';
import { sql } from 'kysely';
import type { Db } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import * as siteRepo from '../sites/site.repo';
import { withSettings } from '../sites/site.service';
import { disqusHandlers } from './disqus.reader';
import { createTouchedTable, touchThreads } from './finish.repo';
import { finishThreads, importTransaction } from './finish.service';
import { ImportFileError, importFileSize } from './import.errors';
import { emptyStatusCounts, type ImportReport, ReasonLog } from './import.report';
import * as link from './link.repo';
import type { RecordSink } from './record-sink';
import * as stagingRepo from './staging.repo';
import { wxrHandlers } from './wxr.reader';
import { readXml } from './xml-reader';

export interface ImportDeps {
  db: Db;
  bus: EventBus;
  /** Compared with restored close times (default: real time). */
  clock?: Clock;
}

export type ImportProgress =
  | { phase: 'reading'; bytes: number; totalBytes: number; comments: number }
  | { phase: 'linking' | 'finishing' };

export interface CommentImportOptions {
  siteId: string;
  format: 'wxr' | 'disqus';
  file: string;
  /** Do everything, report, then roll back. */
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

/** Staged records are written when this many are waiting, or this many characters of body. */
const BATCH_ROWS = 500;
const BATCH_CHARS = 4_000_000;

/**
 * Imports a WordPress (WXR) or Disqus export into a site, in one transaction: a bad file stops it
 * with the line and the reason, and the database is left as it was. Running the same file again
 * adds nothing (every record's external id is remembered per site and source).
 */
export async function importComments(deps: ImportDeps, options: CommentImportOptions): Promise<ImportReport> {
  const site = await siteRepo.findSite(deps.db, options.siteId);
  if (!site) throw errors.notFound(`The site "${options.siteId}"`);
  const { maxDepth } = withSettings(site).settings;
  const totalBytes = await importFileSize(options.file);
  const progress = options.onProgress ?? (() => {});

  return importTransaction(deps, !!options.dryRun, async (uow) => {
    const { trx } = uow;
    // A long import is one transaction; the server's per-statement limit is for requests.
    await sql`set local statement_timeout = 0`.execute(trx);
    await stagingRepo.createStagingTables(trx);
    const skipped = new ReasonLog();
    const notes = new ReasonLog();
    let threads: stagingRepo.ThreadRecord[] = [];
    let comments: Array<stagingRepo.CommentRecord & { commentId: string }> = [];
    let chars = 0;
    let staged = 0;
    const sink: RecordSink = {
      thread: (r) => threads.push(r),
      comment: (r) => {
        comments.push({ ...r, commentId: newId() });
        chars += r.bodySrc.length + r.bodyHtml.length;
      },
      skip: (reason, line, id = null) => skipped.add(reason, line, id),
      note: (reason, line, id = null) => notes.add(reason, line, id),
    };
    const flush = async () => {
      await stagingRepo.insertThreads(trx, threads);
      const duplicates = await stagingRepo.insertComments(trx, comments);
      for (const d of duplicates) skipped.add('a comment id that appears twice in the file (the first one was kept)', d.line, d.extId);
      staged += comments.length - duplicates.length;
      threads = [];
      comments = [];
      chars = 0;
    };
    const handlers = options.format === 'wxr' ? wxrHandlers(sink) : disqusHandlers(sink);
    await readXml(options.file, handlers, {
      afterChunk: async (bytes) => {
        if (comments.length + threads.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
        progress({ phase: 'reading', bytes, totalBytes, comments: staged + comments.length });
      },
    });
    await flush();
    handlers.finish();

    progress({ phase: 'linking' });
    await stagingRepo.indexStagingTables(trx);
    const ctx: link.LinkContext = { trx, siteId: site.id, source: options.format, skipped, notes };
    const threadCounts = await link.linkThreads(ctx);
    const alreadyImported = await link.markAlreadyImported(ctx);
    const commenters = await link.linkCommenters(ctx);
    await link.insertComments(ctx);
    await link.linkParents(ctx, maxDepth);

    progress({ phase: 'finishing' });
    await createTouchedTable(uow);
    await touchThreads(uow, sql`select distinct thread_id from imp_comments where inserted`);
    const touched = await finishThreads(uow);

    const imported = emptyStatusCounts();
    const byStatus = await stagingRepo
      .staging(trx)
      .selectFrom('imp_comments')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('inserted', '=', true)
      .groupBy('status')
      .execute();
    for (const row of byStatus) imported[row.status] = Number(row.n);
    const report: ImportReport = {
      format: options.format,
      siteId: site.id,
      dryRun: !!options.dryRun,
      threads: threadCounts,
      comments: { imported, total: Object.values(imported).reduce((a, b) => a + b, 0), alreadyImported },
      commenters: { created: commenters },
      skipped: skipped.list(),
      notes: notes.list(),
    };
    return { report, touched };
  });
}
