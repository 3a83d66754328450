import { sql } from 'kysely';
import { type ArchiveContext, commentersIn, type Line, partition, requireIn } from './archive.repo';
import { ImportFileError } from './import.errors';
import { insertMessages } from '../outbox/outbox.repo';
import { closingToCome, pollCloseMessage } from '../polls/poll.schedule';

/** Polls, their options and ballots from a Parley archive; the tallies must come out as recorded. */
export async function insertPolls(ctx: ArchiveContext, batch: Line<'poll'>[]): Promise<number> {
  const { fresh } = await partition(ctx, 'polls', 'poll', batch);
  const threads = await requireIn(ctx, 'threads', fresh.map((b) => b.record.threadId));
  for (const { line, record: p } of fresh) {
    if (!threads.has(p.threadId)) throw new ImportFileError(`poll ${p.id} is on thread ${p.threadId}, which is not a thread of this archive`, line);
    const taken = await ctx.trx.selectFrom('poll_options').select('id').where('id', 'in', p.options.map((o) => o.id)).executeTakeFirst();
    if (taken) throw new ImportFileError(`poll option ${taken.id} already exists in this database; restore into an empty database`, line);
    await ctx.trx
      .insertInto('polls')
      .values({
        id: p.id,
        site_id: ctx.siteId,
        thread_id: p.threadId,
        question: p.question,
        kind: p.kind,
        max_choices: p.maxChoices,
        visibility: p.visibility,
        network_cap: p.networkCap,
        closes_at: p.closesAt,
        closed_at: p.closedAt,
        created_by: p.createdBy,
        created_at: p.createdAt,
      })
      .execute();
    // A closing time still to come closes the restored poll then (`poll.closed` for webhooks).
    const closesAt = closingToCome({ closes_at: p.closesAt ? new Date(p.closesAt) : null, closed_at: p.closedAt ? new Date(p.closedAt) : null }, ctx.now);
    if (closesAt) await insertMessages(ctx.trx, ctx.now, [pollCloseMessage(ctx.siteId, p.id, closesAt)]);
    await ctx.trx
      .insertInto('poll_options')
      .values(p.options.map((o) => ({ id: o.id, poll_id: p.id, label: o.label, position: o.position })))
      .execute();
    await sql`insert into arc_new_polls (id, line) values (${p.id}, ${line})`.execute(ctx.trx);
    for (const [optionId, votes] of Object.entries(p.tallies)) {
      await sql`insert into arc_tallies values (${p.id}, ${optionId}, ${votes}) on conflict do nothing`.execute(ctx.trx);
    }
  }
  return fresh.length;
}

export async function insertBallots(ctx: ArchiveContext, batch: Line<'ballot'>[]): Promise<number> {
  const polls = await sql<{ id: string }>`select id from arc_new_polls where id = any(${[...new Set(batch.map((b) => b.record.pollId))]}::text[])`.execute(ctx.trx);
  const fresh = new Set(polls.rows.map((r) => r.id));
  const rows = batch.filter((b) => fresh.has(b.record.pollId));
  if (rows.length === 0) return 0;
  const commenters = await commentersIn(ctx, rows.map((b) => b.record.commenterId));
  const options = await ctx.trx.selectFrom('poll_options').select(['id', 'poll_id']).where('poll_id', 'in', [...fresh]).execute();
  const optionPoll = new Map(options.map((o) => [o.id, o.poll_id]));
  for (const { line, record: b } of rows) {
    if (!commenters.has(b.commenterId)) throw new ImportFileError(`commenter ${b.commenterId} is not in the archive`, line);
    const stray = b.optionIds.find((o) => optionPoll.get(o) !== b.pollId);
    if (stray) throw new ImportFileError(`option ${stray} is not an option of poll ${b.pollId}`, line);
  }
  await ctx.trx
    .insertInto('poll_ballots')
    .values(rows.map(({ record: b }) => ({ poll_id: b.pollId, commenter_id: b.commenterId, ip_hash: null, created_at: b.createdAt, updated_at: b.updatedAt })))
    .execute();
  await ctx.trx
    .insertInto('poll_choices')
    .values(rows.flatMap(({ record: b }) => [...new Set(b.optionIds)].map((option_id) => ({ poll_id: b.pollId, commenter_id: b.commenterId, option_id }))))
    .execute();
  return rows.length;
}

/** The restored ballots must add up to the tallies the archive recorded at export time. */
export async function verifyTallies(ctx: ArchiveContext): Promise<void> {
  const wrong = await sql<{ poll_id: string; line: number }>`
    select t.poll_id, p.line from arc_tallies t join arc_new_polls p on p.id = t.poll_id
    where t.votes <> (select count(*) from poll_choices c where c.poll_id = t.poll_id and c.option_id = t.option_id)
    order by p.line limit 1`.execute(ctx.trx);
  if (wrong.rows[0]) {
    throw new ImportFileError(`the ballots in the archive do not add up to the tallies recorded for poll ${wrong.rows[0].poll_id}`, wrong.rows[0].line);
  }
}
