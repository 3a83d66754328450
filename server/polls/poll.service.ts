import { assertMayParticipateIn } from '../sso/sso.rules';
import type { Poll } from '../../db/schema';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import { createCommenter } from '../commenters/commenter.service';
import type { ReaderActor } from '../actors';
import * as threadRepo from '../threads/thread.repo';
import { recordThreadUpdate } from '../threads/thread.events';
import * as repo from './poll.repo';
import { announceShownVote } from './shown-vote.service';
import type { CreatePollInput, UpdatePollInput, VoteInput } from './poll.schema';
import { isOpen, type PollView, pollView } from './poll.view';
import { recordNotice } from '../sites/notice.events';
import type { Clock } from '../clock';
import { scheduleClosing } from './poll.schedule';

export interface PollDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
}

/** Who manages polls: a member with a role that allows it on the site, or a site API key. */
export interface PollManager {
  memberId: string | null;
  canManage(siteId: string): Promise<boolean>;
}

export async function viewPoll(db: Db, poll: Poll, viewerId: string | null): Promise<PollView> {
  const [options, tally, mine] = await Promise.all([
    repo.optionsOf(db, [poll.id]),
    repo.tally(db, poll.id),
    viewerId ? repo.choicesOf(db, [poll.id], viewerId) : Promise.resolve(new Map<string, string[]>()),
  ]);
  return pollView(poll, options, tally, mine.get(poll.id) ?? null);
}

export async function getPoll(deps: PollDeps, viewerId: string | null, pollId: string): Promise<PollView> {
  const poll = await repo.findPoll(deps.db, pollId);
  if (!poll) throw errors.notFound('The poll');
  return viewPoll(deps.db, poll, viewerId);
}

export async function pollsForThread(deps: PollDeps, viewerId: string | null, threadId: string): Promise<PollView[]> {
  const polls = await repo.pollsOfThread(deps.db, threadId);
  return Promise.all(polls.map((p) => viewPoll(deps.db, p, viewerId)));
}

/** Tells live readers the thread's polls changed (created, edited, closed), with the next seq. */
const announceThreadChange = (uow: UnitOfWork, threadId: string) => recordThreadUpdate(uow, threadId);

export async function createPoll(deps: PollDeps, manager: PollManager, threadId: string, input: CreatePollInput): Promise<PollView> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  // Another site's thread is a 404, never a 403 that confirms it exists.
  if (!thread || !(await manager.canManage(thread.site_id))) throw errors.notFound('The thread');
  const poll = await inTransaction(deps, async (uow) => {
    const created = await repo.insertPoll(
      uow.trx,
      {
        id: newId(),
        site_id: thread.site_id,
        thread_id: thread.id,
        question: input.question,
        kind: input.kind,
        max_choices: input.kind === 'single' ? 1 : (input.maxChoices ?? input.options.length),
        visibility: input.visibility,
        network_cap: input.networkCap,
        closes_at: input.closesAt ? new Date(input.closesAt) : null,
        created_by: manager.memberId,
      },
      input.options.map((label) => ({ id: newId(), label })),
    );
    await announceThreadChange(uow, thread.id);
    await scheduleClosing(uow, created, deps.clock.now());
    return created;
  });
  return viewPoll(deps.db, poll, null);
}

export async function updatePoll(deps: PollDeps, manager: PollManager, pollId: string, input: UpdatePollInput): Promise<PollView> {
  const existing = await repo.findPoll(deps.db, pollId);
  if (!existing || !(await manager.canManage(existing.site_id))) throw errors.notFound('The poll');
  if (input.closesAt && Date.parse(input.closesAt) <= Date.now() && input.closed !== true) {
    throw errors.validation('The poll is not valid.', [{ path: 'closesAt', message: 'must be in the future (use "closed": true to close now)' }]);
  }
  const poll = await inTransaction(deps, async (uow) => {
    const locked = await repo.lockPoll(uow.trx, pollId, 'update');
    if (!locked) throw errors.notFound('The poll');
    const values: Parameters<typeof repo.updatePoll>[2] = {};
    if (input.question !== undefined) values.question = input.question;
    if (input.visibility !== undefined) values.visibility = input.visibility;
    if (input.closesAt !== undefined) values.closes_at = input.closesAt ? new Date(input.closesAt) : null;
    if (input.closed === true && isOpen(locked)) values.closed_at = new Date();
    if (input.closed === false) {
      values.closed_at = null;
      // Reopening a poll whose closing time has passed clears that time too.
      if (input.closesAt === undefined && locked.closes_at && locked.closes_at <= new Date()) values.closes_at = null;
    }
    const updated = await repo.updatePoll(uow.trx, pollId, values);
    await announceThreadChange(uow, updated.thread_id);
    if (values.closed_at) await recordNotice(uow, 'poll.closed', { siteId: updated.site_id, threadId: updated.thread_id, pollId: updated.id });
    if (values.closes_at !== undefined || input.closed === false) await scheduleClosing(uow, updated, deps.clock.now());
    return updated;
  });
  return viewPoll(deps.db, poll, null);
}

export async function castVote(
  deps: PollDeps,
  /**
   * `networkHashes`: the voter's network under every daily secret still kept (newest first), so the
   * cap counts ballots cast before the last key rotation too; without it, only today's hash counts.
   */
  actor: ReaderActor & { networkHashes?: string[] },
  pollId: string,
  input: VoteInput,
): Promise<{ poll: PollView; token?: string }> {
  const poll = await repo.findPoll(deps.db, pollId);
  if (!poll) throw errors.notFound('The poll');
  if (!isOpen(poll)) throw errors.conflict('poll_closed', 'This poll is closed: votes can no longer be cast or changed.');
  await assertMayParticipateIn(deps.db, poll.site_id, actor.commenter);
  const options = await repo.optionsOf(deps.db, [poll.id]);
  const known = new Set(options.map((o) => o.id));
  const unknown = input.optionIds.filter((id) => !known.has(id));
  if (unknown.length) {
    throw errors.validation('The vote is not valid.', [{ path: 'optionIds', message: `not options of this poll: ${unknown.join(', ')}` }]);
  }
  if (input.optionIds.length > poll.max_choices) {
    throw errors.validation('The vote is not valid.', [
      { path: 'optionIds', message: poll.max_choices === 1 ? 'choose exactly one option' : `choose at most ${poll.max_choices} options` },
    ]);
  }

  const { commenterId, token } = await inTransaction(deps, async (uow) => {
    let commenterId = actor.commenter?.id;
    let token: string | undefined;
    if (!commenterId) {
      const created = await createCommenter(uow.trx, {});
      commenterId = created.commenter.id;
      token = created.token;
    }
    if (actor.ipHash) {
      await repo.lockNetwork(uow.trx, poll.id, actor.ipHash);
      const hashes = actor.networkHashes?.length ? actor.networkHashes : [actor.ipHash];
      if ((await repo.networkBallots(uow.trx, poll.id, hashes, commenterId)) >= poll.network_cap) {
        throw errors.forbidden(
          'network_vote_limit',
          'Too many people have already voted in this poll from your network. Your vote was not counted.',
        );
      }
    }
    await repo.putBallot(uow.trx, poll.id, commenterId, actor.ipHash, input.optionIds);
    uow.emit('poll.voted', { siteId: poll.site_id, threadId: poll.thread_id, pollId: poll.id, commenterId });
    await announceShownVote(uow, poll.thread_id, commenterId);
    return { commenterId, token };
  });
  return { poll: await viewPoll(deps.db, poll, commenterId), token };
}

export async function withdrawVote(deps: PollDeps, actor: ReaderActor, pollId: string): Promise<PollView> {
  const poll = await repo.findPoll(deps.db, pollId);
  if (!poll) throw errors.notFound('The poll');
  if (!actor.commenter) throw errors.unauthenticated('Only the reader who voted can withdraw the vote.');
  if (!isOpen(poll)) throw errors.conflict('poll_closed', 'This poll is closed: votes can no longer be cast or changed.');
  const commenterId = actor.commenter.id;
  await inTransaction(deps, async (uow) => {
    if (await repo.deleteBallot(uow.trx, poll.id, commenterId)) {
      uow.emit('poll.voted', { siteId: poll.site_id, threadId: poll.thread_id, pollId: poll.id, commenterId });
      await announceShownVote(uow, poll.thread_id, commenterId);
    }
  });
  return viewPoll(deps.db, poll, commenterId);
}
