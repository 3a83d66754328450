import { sql } from 'kysely';
import type { Tx, UnitOfWork } from '../db';

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

/** The touched threads' counters, recomputed from their rows (see finish.service.ts). */
export async function recountTouched(trx: Tx): Promise<void> {
  await sql`
    update threads t set comment_count = n.count, featured_count = n.picks
    from (select c.thread_id, (count(*) filter (where c.status = 'approved'))::int as count,
                 (count(*) filter (where c.status = 'approved' and c.featured))::int as picks
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

}

/** A page of the touched threads, in id order after `after`. */
export async function touchedPage(trx: Tx, after: string, limit: number): Promise<string[]> {
  const page = await sql<{ thread_id: string }>`
    select thread_id from imp_touched where thread_id > ${after} order by thread_id limit ${limit}`.execute(trx);
  return page.rows.map((r) => r.thread_id);
}

export async function setTouchedSeq(trx: Tx, threadId: string, seq: number): Promise<void> {
  await sql`update imp_touched set seq = ${seq} where thread_id = ${threadId}`.execute(trx);
}

/** Imported comments carry seq 0 until their thread's event: they take its seq. */
export async function stampImportedSeqs(trx: Tx): Promise<void> {
  await sql`update comments c set seq = x.seq from imp_touched x where c.thread_id = x.thread_id and c.seq = 0`.execute(trx);
}
