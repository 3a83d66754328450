import { sql } from 'kysely';
import type { Poll, PollOption } from '../../db/schema';
import type { Executor, Tx } from '../db';

export async function insertPoll(
  trx: Tx,
  poll: Omit<Poll, 'created_at' | 'updated_at' | 'closed_at'>,
  options: Array<{ id: string; label: string }>,
): Promise<Poll> {
  const row = await trx.insertInto('polls').values(poll).returningAll().executeTakeFirstOrThrow();
  await trx
    .insertInto('poll_options')
    .values(options.map((o, position) => ({ id: o.id, poll_id: poll.id, label: o.label, position })))
    .execute();
  return row;
}

export async function findPoll(db: Executor, id: string): Promise<Poll | undefined> {
  return db.selectFrom('polls').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the poll row: votes take it in share mode, closing and editing in update mode. */
export async function lockPoll(trx: Tx, id: string, mode: 'share' | 'update'): Promise<Poll | undefined> {
  const q = trx.selectFrom('polls').selectAll().where('id', '=', id);
  return (mode === 'share' ? q.forShare() : q.forUpdate()).executeTakeFirst();
}

export async function pollsOfThread(db: Executor, threadId: string): Promise<Poll[]> {
  return db.selectFrom('polls').selectAll().where('thread_id', '=', threadId).orderBy('created_at').orderBy('id').execute();
}

export async function optionsOf(db: Executor, pollIds: string[]): Promise<PollOption[]> {
  if (pollIds.length === 0) return [];
  return db.selectFrom('poll_options').selectAll().where('poll_id', 'in', pollIds).orderBy('poll_id').orderBy('position').execute();
}

export async function updatePoll(trx: Tx, id: string, values: Partial<Pick<Poll, 'question' | 'visibility' | 'closes_at' | 'closed_at'>>) {
  return trx
    .updateTable('polls')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Exact tallies from the vote rows themselves (an index-only count), and the number of voters. */
export async function tally(db: Executor, pollId: string): Promise<{ counts: Map<string, number>; voters: number }> {
  const [rows, voters] = await Promise.all([
    db
      .selectFrom('poll_choices')
      .select(['option_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('poll_id', '=', pollId)
      .groupBy('option_id')
      .execute(),
    db
      .selectFrom('poll_ballots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('poll_id', '=', pollId)
      .executeTakeFirstOrThrow(),
  ]);
  return { counts: new Map(rows.map((r) => [r.option_id, Number(r.n)])), voters: Number(voters.n) };
}

export async function choicesOf(db: Executor, pollIds: string[], commenterId: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (pollIds.length === 0) return out;
  const rows = await db
    .selectFrom('poll_choices')
    .select(['poll_id', 'option_id'])
    .where('poll_id', 'in', pollIds)
    .where('commenter_id', '=', commenterId)
    .execute();
  for (const r of rows) out.set(r.poll_id, [...(out.get(r.poll_id) ?? []), r.option_id]);
  return out;
}

/**
 * Serialises votes from one network on one poll, so the per-network cap cannot be overrun by
 * votes arriving at the same instant. The lock is per (poll, network), never per poll.
 */
export async function lockNetwork(trx: Tx, pollId: string, ipHash: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${pollId}:${ipHash}`}, 0))`.execute(trx);
}

/** Ballots from one network, given as its hashes under each day's secret (the secret rotates daily). */
export async function networkBallots(trx: Tx, pollId: string, ipHashes: string[], exceptCommenter: string): Promise<number> {
  const row = await trx
    .selectFrom('poll_ballots')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('poll_id', '=', pollId)
    .where('ip_hash', 'in', ipHashes)
    .where('commenter_id', '!=', exceptCommenter)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Records a commenter's ballot, replacing any earlier choice. The upsert locks the ballot row, so
 * concurrent identical votes by one reader run one after another and count once.
 */
export async function putBallot(trx: Tx, pollId: string, commenterId: string, ipHash: string | null, optionIds: string[]) {
  await trx
    .insertInto('poll_ballots')
    .values({ poll_id: pollId, commenter_id: commenterId, ip_hash: ipHash })
    .onConflict((oc) => oc.columns(['poll_id', 'commenter_id']).doUpdateSet({ updated_at: sql`now()` }))
    .execute();
  await trx.deleteFrom('poll_choices').where('poll_id', '=', pollId).where('commenter_id', '=', commenterId).execute();
  await trx
    .insertInto('poll_choices')
    .values(optionIds.map((option_id) => ({ poll_id: pollId, commenter_id: commenterId, option_id })))
    .execute();
}

export async function deleteBallot(trx: Tx, pollId: string, commenterId: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('poll_ballots')
    .where('poll_id', '=', pollId)
    .where('commenter_id', '=', commenterId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
