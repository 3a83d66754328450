import { once } from 'node:events';
import { sql } from 'kysely';
import type { Comment } from '../../db/schema';
import type { Db, Tx } from '../db';
import { errors } from '../errors';
import { exportBansAndLog, exportMembers } from './archive-staff.repo';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ArchiveRecord, type ArchiveRecordOf } from './archive.schema';
import { isoOrNull } from '../clock';

/**
 * Writes a site's whole archive as JSON Lines (see archive.schema.ts), page by page, waiting for
 * the output to drain: memory stays flat whatever the size of the site. It reads inside one
 * repeatable-read transaction, so the archive is one consistent moment of the site.
 */
const PAGE = 500;

export interface ExportOptions {
  onProgress?: (written: { records: number }) => void;
}

export async function exportSite(db: Db, siteId: string, out: NodeJS.WritableStream, options: ExportOptions = {}): Promise<Record<string, number>> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const site = await trx.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirst();
      if (!site) throw errors.notFound(`The site "${siteId}"`);
      const counts: Record<string, number> = {};
      let written = 0;
      const write = async (record: ArchiveRecord) => {
        if (record.type !== 'header' && record.type !== 'end') counts[record.type] = (counts[record.type] ?? 0) + 1;
        if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
        if (++written % 1000 === 0) options.onProgress?.({ records: written });
      };

      await write({ type: 'header', format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: new Date().toISOString(), siteId });
      await write({
        type: 'site',
        id: site.id,
        name: site.name,
        origins: site.origins as unknown as string[],
        settings: site.settings as unknown as Record<string, unknown>,
        createdAt: site.created_at.toISOString(),
      });
      await exportMembers(trx, siteId, write);
      await exportPresets(trx, siteId, write);
      await exportThreads(trx, siteId, write);
      await exportCommenters(trx, siteId, write);
      await exportComments(trx, siteId, write);
      await exportReactionsAndFlags(trx, siteId, write);
      await exportPolls(trx, siteId, write);
      await exportBansAndLog(trx, siteId, write);
      const end: ArchiveRecord = { type: 'end', counts: { ...counts } };
      await write(end);
      options.onProgress?.({ records: written });
      return counts;
    });
}

type Write = (record: ArchiveRecord) => Promise<void>;

async function exportPresets(trx: Tx, siteId: string, write: Write): Promise<void> {
  const presets = await trx.selectFrom('thread_presets').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  for (const p of presets) {
    await write({
      type: 'preset',
      id: p.id,
      name: p.name,
      settings: p.settings as ArchiveRecordOf<'preset'>['settings'],
      createdAt: new Date(p.created_at).toISOString(),
      updatedAt: new Date(p.updated_at).toISOString(),
    });
  }
}

/** The pages of a keyset query, in order: `read(after)` gives the page after a cursor, `next(last)` the cursor after a row. */
async function* pages<Row, Cursor>(start: Cursor, read: (after: Cursor) => Promise<Row[]>, next: (last: Row) => Cursor): AsyncGenerator<Row[]> {
  let after = start;
  for (;;) {
    const rows = await read(after);
    if (rows.length) yield rows;
    if (rows.length < PAGE) return;
    after = next(rows[rows.length - 1]);
  }
}

async function exportThreads(trx: Tx, siteId: string, write: Write) {
  const threads = pages(
    '',
    (after) => trx.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('key', '>', after).orderBy('key').limit(PAGE).execute(),
    (t) => t.key,
  );
  for await (const rows of threads) {
    for (const t of rows) {
      await write({
        type: 'thread',
        id: t.id,
        key: t.key,
        url: t.url,
        title: t.title,
        state: t.state,
        mode: t.mode,
        createdAt: t.created_at.toISOString(),
        format: t.format,
        slowModeSeconds: t.slow_mode_seconds,
        linksAllowed: t.links_allowed,
        closesAt: isoOrNull(t.closes_at),
        reopensAt: isoOrNull(t.reopens_at),
      });
    }
  }
}

/** Every commenter the site's comments, votes, reactions and flags point at. */
async function exportCommenters(trx: Tx, siteId: string, write: Write) {
  await sql`create temp table exp_commenters on commit drop as
    select commenter_id as id from comments where site_id = ${siteId} and commenter_id is not null
    union select b.commenter_id from poll_ballots b join polls p on p.id = b.poll_id where p.site_id = ${siteId}
    union select r.commenter_id from reactions r join comments c on c.id = r.comment_id where c.site_id = ${siteId}
    union select f.commenter_id from flags f join comments c on c.id = f.comment_id where c.site_id = ${siteId} and f.commenter_id is not null`.execute(trx);
  const commenters = pages(
    '',
    (after) =>
      trx
        .selectFrom('commenters')
        .selectAll()
        .where('id', 'in', sql<string>`(select id from exp_commenters)`)
        .where('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .execute(),
    (c) => c.id,
  );
  for await (const rows of commenters) {
    for (const c of rows) {
      await write({
        type: 'commenter',
        id: c.id,
        name: c.name,
        email: c.email,
        website: c.website,
        tokenHash: c.token_hash,
        showVote: c.show_vote,
        createdAt: c.created_at.toISOString(),
        erasedAt: isoOrNull(c.erased_at),
      });
    }
  }
}

async function exportComments(trx: Tx, siteId: string, write: Write) {
  const comments = pages<Comment, Comment | undefined>(
    undefined,
    (after) => {
      // Keyset over the (site_id, status, created_at, id) index.
      let q = trx.selectFrom('comments').selectAll().where('site_id', '=', siteId);
      if (after) q = q.where(sql<boolean>`(status, created_at, id) > (${after.status}, ${after.created_at.toISOString()}::timestamptz, ${after.id})`);
      return q.orderBy('status').orderBy('created_at').orderBy('id').limit(PAGE).execute();
    },
    (c) => c,
  );
  for await (const rows of comments) {
    const edits = await trx.selectFrom('comment_edits').selectAll().where('comment_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
    for (const c of rows) {
      await write({
        type: 'comment',
        id: c.id,
        threadId: c.thread_id,
        parentId: c.parent_id,
        replyToId: c.reply_to_id,
        rootId: c.root_id,
        depth: c.depth,
        commenterId: c.commenter_id,
        memberId: c.member_id,
        authorName: c.author_name,
        authorWebsite: c.author_website,
        badge: c.badge,
        bodySrc: c.body_src,
        status: c.status,
        previousStatus: c.previous_status,
        featured: c.featured,
        answerId: c.answer_id,
        createdAt: c.created_at.toISOString(),
        editedAt: isoOrNull(c.edited_at),
        deletedAt: isoOrNull(c.deleted_at),
        edits: edits.filter((e) => e.comment_id === c.id).map((e) => ({ bodySrc: e.body_src, editedAt: e.edited_at.toISOString() })),
      });
    }
  }
}

async function exportReactionsAndFlags(trx: Tx, siteId: string, write: Write) {
  type Reaction = { comment_id: string; commenter_id: string; created_at: Date };
  const reactions = pages(
    { comment_id: '', commenter_id: '' },
    async (after) =>
      (
        await sql<Reaction>`
          select r.* from reactions r join comments c on c.id = r.comment_id
          where c.site_id = ${siteId} and (r.comment_id, r.commenter_id) > (${after.comment_id}, ${after.commenter_id})
          order by r.comment_id, r.commenter_id limit ${PAGE}`.execute(trx)
      ).rows,
    (r) => r,
  );
  for await (const rows of reactions) {
    for (const r of rows) {
      await write({ type: 'reaction', commentId: r.comment_id, commenterId: r.commenter_id, createdAt: new Date(r.created_at).toISOString() });
    }
  }
  const flags = pages(
    0,
    (after) =>
      trx
        .selectFrom('flags')
        .innerJoin('comments', 'comments.id', 'flags.comment_id')
        .selectAll('flags')
        .where('comments.site_id', '=', siteId)
        .where('flags.id', '>', after)
        .orderBy('flags.id')
        .limit(PAGE)
        .execute(),
    (f) => f.id,
  );
  for await (const rows of flags) {
    for (const f of rows) {
      await write({ type: 'flag', commentId: f.comment_id, commenterId: f.commenter_id, reason: f.reason, note: f.note, createdAt: f.created_at.toISOString() });
    }
  }
}

async function exportPolls(trx: Tx, siteId: string, write: Write) {
  const polls = await trx.selectFrom('polls').selectAll().where('site_id', '=', siteId).orderBy('created_at').orderBy('id').execute();
  for (const p of polls) {
    const options = await trx.selectFrom('poll_options').selectAll().where('poll_id', '=', p.id).orderBy('position').execute();
    const tallies = await trx
      .selectFrom('poll_choices')
      .select(['option_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('poll_id', '=', p.id)
      .groupBy('option_id')
      .execute();
    await write({
      type: 'poll',
      id: p.id,
      threadId: p.thread_id,
      question: p.question,
      kind: p.kind,
      maxChoices: p.max_choices,
      visibility: p.visibility,
      networkCap: p.network_cap,
      closesAt: isoOrNull(p.closes_at),
      closedAt: isoOrNull(p.closed_at),
      createdBy: p.created_by,
      createdAt: p.created_at.toISOString(),
      options: options.map((o) => ({ id: o.id, label: o.label, position: o.position })),
      tallies: Object.fromEntries(options.map((o) => [o.id, Number(tallies.find((t) => t.option_id === o.id)?.n ?? 0)])),
    });
  }
  for (const p of polls) {
    type Ballot = { commenter_id: string; created_at: Date; updated_at: Date; option_ids: string[] };
    const ballots = pages(
      '',
      async (after) =>
        (
          await sql<Ballot>`
            select b.commenter_id, b.created_at, b.updated_at,
              coalesce(array_agg(c.option_id order by c.option_id) filter (where c.option_id is not null), '{}') as option_ids
            from poll_ballots b left join poll_choices c on c.poll_id = b.poll_id and c.commenter_id = b.commenter_id
            where b.poll_id = ${p.id} and b.commenter_id > ${after}
            group by b.commenter_id, b.created_at, b.updated_at
            order by b.commenter_id limit ${PAGE}`.execute(trx)
        ).rows,
      (b) => b.commenter_id,
    );
    for await (const rows of ballots) {
      for (const b of rows) {
        // A ballot without a choice cannot be cast through the API; such a row has nothing to restore.
        if (b.option_ids.length === 0) continue;
        await write({
          type: 'ballot',
          pollId: p.id,
          commenterId: b.commenter_id,
          optionIds: b.option_ids,
          createdAt: new Date(b.created_at).toISOString(),
          updatedAt: new Date(b.updated_at).toISOString(),
        });
      }
    }
  }
}
