import { sql } from 'kysely';
import type { UnitOfWork } from '../db';
import { pollView } from '../polls/poll.view';
import * as pollRepo from '../polls/poll.repo';
import * as threadRepo from '../threads/thread.repo';
import { threadView } from '../threads/thread.view';

/**
 * What every import does last, for each thread it added comments to: counters recomputed from the
 * rows themselves (the file's own counts are never trusted), and one `thread:updated` event with
 * the thread's next seq, so a reader who has the thread open reloads it. Imported comments carry
 * seq 0 until then and take the thread's new seq.
 */
export async function createTouchedTable(uow: UnitOfWork): Promise<void> {
  await sql`create temp table imp_touched (thread_id text primary key, seq integer) on commit drop`.execute(uow.trx);
}

export async function touchThreads(uow: UnitOfWork, fromQuery: ReturnType<typeof sql>): Promise<void> {
  await sql`insert into imp_touched (thread_id) ${fromQuery} on conflict do nothing`.execute(uow.trx);
  await sql`analyze imp_touched`.execute(uow.trx);
}

export async function finishThreads(uow: UnitOfWork, siteId: string): Promise<number> {
  const { trx } = uow;
  await sql`
    update threads t set comment_count = n.count
    from (select c.thread_id, (count(*) filter (where c.status = 'approved'))::int as count
          from comments c join imp_touched x on x.thread_id = c.thread_id group by c.thread_id) n
    where t.id = n.thread_id`.execute(trx);
  // Listed replies: approved ones, and placeholders (deleted, rejected or spam) that hold listed
  // replies themselves. Each pass counts every parent from its replies' current counts, so right
  // counts climb from the leaves one level per pass, until nothing moves.
  for (let pass = 0; pass < 100; pass++) {
    const moved = await sql`
      update comments c set reply_count = n.count
      from (select p.id, count(r.id)::int as count
            from comments p join imp_touched x on x.thread_id = p.thread_id
            left join comments r on r.parent_id = p.id
              and (r.status = 'approved' or (r.status in ('deleted', 'rejected', 'spam') and r.reply_count > 0))
            group by p.id) n
      where c.id = n.id and c.reply_count <> n.count
      returning c.id`.execute(trx);
    if (moved.rows.length === 0) break;
  }

  let after = '';
  let touched = 0;
  for (;;) {
    const page = await sql<{ thread_id: string }>`
      select thread_id from imp_touched where thread_id > ${after} order by thread_id limit 200`.execute(trx);
    for (const { thread_id: threadId } of page.rows) {
      const seq = await threadRepo.nextSeq(trx, threadId);
      await sql`update imp_touched set seq = ${seq} where thread_id = ${threadId}`.execute(trx);
      const thread = (await threadRepo.findThread(trx, threadId))!;
      const polls = await pollRepo.pollsOfThread(trx, threadId);
      const options = await pollRepo.optionsOf(trx, polls.map((p) => p.id));
      const payload = {
        threadId,
        seq,
        thread: threadView(thread, { polls: polls.map((p) => pollView(p, options.filter((o) => o.poll_id === p.id), null, null)) }),
      };
      await threadRepo.appendEvent(trx, { threadId, seq, event: 'thread:updated', payload, audience: null });
      uow.emit('thread.event', { siteId, threadId, seq, event: 'thread:updated', payload, audience: null });
      touched++;
    }
    if (page.rows.length < 200) break;
    after = page.rows[page.rows.length - 1].thread_id;
  }
  await sql`update comments c set seq = x.seq from imp_touched x where c.thread_id = x.thread_id and c.seq = 0`.execute(trx);
  return touched;
}
