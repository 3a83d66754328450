import type { Executor } from '../db';
import { withSettings } from '../sites/site.service';
import type { PrivacyExtension } from './privacy.extension';
import { DAY_MS, forgetNetworksBefore } from './network';

/**
 * Poll votes. A ballot (one per reader per poll) holds the chosen options and the network hash the
 * per-network cap counts. Export lists them; erasure withdraws them — the results are exact counts
 * over ballots, so every tally is what it was minus this reader's vote — and tells live readers the
 * results changed; retention blanks a ballot's network hash after the site's retention period.
 */
async function ballotsOf(db: Executor, commenterId: string, siteId?: string) {
  let q = db
    .selectFrom('poll_ballots as b')
    .innerJoin('polls as p', 'p.id', 'b.poll_id')
    .select(['b.poll_id', 'b.ip_hash', 'b.created_at', 'b.updated_at', 'p.site_id', 'p.thread_id', 'p.question'])
    .where('b.commenter_id', '=', commenterId);
  if (siteId) q = q.where('p.site_id', '=', siteId);
  return q.orderBy('b.created_at').execute();
}

export const votesPrivacy: PrivacyExtension = {
  name: 'votes',

  async export(db, subject) {
    const ballots = await ballotsOf(db, subject.commenterId, subject.siteId);
    if (ballots.length === 0) return { votes: [] };
    const choices = await db
      .selectFrom('poll_choices as c')
      .innerJoin('poll_options as o', 'o.id', 'c.option_id')
      .select(['c.poll_id', 'o.id', 'o.label'])
      .where('c.commenter_id', '=', subject.commenterId)
      .where('c.poll_id', 'in', ballots.map((b) => b.poll_id))
      .orderBy('o.position')
      .execute();
    const sites = new Map(
      (await db.selectFrom('sites').selectAll().where('id', 'in', [...new Set(ballots.map((b) => b.site_id))]).execute()).map((s) => [
        s.id,
        withSettings(s).settings.retentionDays,
      ]),
    );
    return {
      votes: ballots.map((b) => ({
        pollId: b.poll_id,
        threadId: b.thread_id,
        siteId: b.site_id,
        question: b.question,
        choices: choices.filter((c) => c.poll_id === b.poll_id).map((c) => ({ optionId: c.id, label: c.label })),
        votedAt: b.created_at.toISOString(),
        changedAt: b.updated_at.toISOString(),
        network: b.ip_hash
          ? { hash: b.ip_hash, keptUntil: new Date(b.created_at.getTime() + (sites.get(b.site_id) ?? 30) * DAY_MS).toISOString() }
          : null,
      })),
    };
  },

  async erase(uow, subject) {
    const ballots = await ballotsOf(uow.trx, subject.commenterId, subject.siteId);
    if (ballots.length === 0) return { votes: 0 };
    // Choices go with their ballot (foreign key, on delete cascade).
    await uow.trx
      .deleteFrom('poll_ballots')
      .where('commenter_id', '=', subject.commenterId)
      .where('poll_id', 'in', ballots.map((b) => b.poll_id))
      .execute();
    for (const b of ballots) {
      uow.emit('poll.voted', { siteId: b.site_id, threadId: b.thread_id, pollId: b.poll_id, commenterId: subject.commenterId });
    }
    return { votes: ballots.length };
  },

  async retention(db, { now, site }) {
    const before = new Date(now.getTime() - site.retentionDays * DAY_MS);
    return { voteNetworkHashes: await forgetNetworksBefore(db, { table: 'poll_ballots', parent: 'polls', via: 'poll_id' }, site.id, before) };
  },
};
