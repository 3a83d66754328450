import type { CreatePollInput } from '../../server/polls/poll.schema';
import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll, type PollManager, updatePoll } from '../../server/polls/poll.service';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley();

const db = () => parley.database.db;
const editor = (siteId: string): PollManager => ({ memberId: null, canManage: async (s) => s === siteId });

async function pollOn(input: Partial<CreatePollInput> = {}) {
  const site = await buildSite(db());
  const thread = await buildThread(db(), site.id);
  const poll = await createPoll(
    parley.app.deps,
    editor(site.id),
    thread.id,
    CreatePollSchema.parse({ question: 'How would you resolve this stand-off?', options: ['A wave of the wand', 'A stroke of the pen', 'A Jedi mind-trick'], ...input }),
  );
  return { site, thread, poll };
}

function vote(pollId: string, optionIds: string[], token?: string, headers: Record<string, string> = {}) {
  let req = parley.http().put(`/api/v1/polls/${pollId}/vote`).set('Content-Type', 'application/json');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send({ optionIds });
}

const ballots = async () => (await db().selectFrom('poll_ballots').selectAll().execute()).length;

describe('polls', () => {
  it('appear on their thread, and a first vote issues a token and shows the results', async () => {
    const { thread, poll } = await pollOn();
    const t = await parley.http().get(`/api/v1/threads/${thread.id}`);
    expect(t.body.thread.polls).toHaveLength(1);
    expect(t.body.thread.polls[0]).toMatchObject({ id: poll.id, state: 'open', myVote: null, kind: 'single' });

    const res = await vote(poll.id, [poll.options[0]!.id]);
    expect(res.status).toBe(200);
    expect(res.body.commenterToken).toMatch(/^ct_/);
    expect(res.body.poll.myVote).toEqual([poll.options[0]!.id]);
    expect(res.body.poll.results).toEqual({ voters: 1, votes: { [poll.options[0]!.id]: 1, [poll.options[1]!.id]: 0, [poll.options[2]!.id]: 0 } });
  });

  it('lets a reader change and withdraw their vote, keeping one ballot', async () => {
    const { poll } = await pollOn();
    const [a, b] = poll.options;
    const first = await vote(poll.id, [a!.id]);
    const token = first.body.commenterToken;
    const changed = await vote(poll.id, [b!.id], token);
    expect(changed.body.poll.results.votes).toMatchObject({ [a!.id]: 0, [b!.id]: 1 });
    expect(await ballots()).toBe(1);
    const withdrawn = await parley.http().delete(`/api/v1/polls/${poll.id}/vote`).set('Authorization', `Bearer ${token}`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.poll.myVote).toBeNull();
    expect(withdrawn.body.poll.results.voters).toBe(0);
    expect(await ballots()).toBe(0);
  });

  it('refuses votes that break the poll’s rules, storing nothing', async () => {
    const { poll } = await pollOn();
    const two = await vote(poll.id, [poll.options[0]!.id, poll.options[1]!.id]);
    expect(two.status).toBe(400);
    expect(two.body.error.details[0].message).toMatch(/exactly one/);
    const unknown = await vote(poll.id, ['0000000000000000']);
    expect(unknown.status).toBe(400);
    const empty = await vote(poll.id, []);
    expect(empty.status).toBe(400);
    const twice = await vote(poll.id, [poll.options[0]!.id, poll.options[0]!.id]);
    expect(twice.status).toBe(400);
    expect(await ballots()).toBe(0);
    expect(await db().selectFrom('commenters').selectAll().execute()).toHaveLength(0);
    expect((await parley.http().get('/api/v1/polls/0000000000000000')).status).toBe(404);
  });

  it('takes several choices up to the maximum in a multiple-choice poll', async () => {
    const { poll } = await pollOn({ kind: 'multiple', maxChoices: 2 });
    const ok = await vote(poll.id, [poll.options[0]!.id, poll.options[2]!.id]);
    expect(ok.status).toBe(200);
    expect(ok.body.poll.results).toMatchObject({ voters: 1 });
    expect(ok.body.poll.results.votes[poll.options[2]!.id]).toBe(1);
    const tooMany = await vote(poll.id, poll.options.map((o) => o.id), ok.body.commenterToken);
    expect(tooMany.status).toBe(400);
  });

  it('hides results until the reader votes when visibility is after_vote', async () => {
    const { poll } = await pollOn({ visibility: 'after_vote' });
    await vote(poll.id, [poll.options[1]!.id]);
    const stranger = await parley.http().get(`/api/v1/polls/${poll.id}`);
    expect(stranger.body.poll.results).toBeNull();
    expect(stranger.body.poll.options[0]).not.toHaveProperty('votes');
    const voter = await vote(poll.id, [poll.options[0]!.id]);
    expect(voter.body.poll.results.voters).toBe(2);
  });

  it('hides results until the poll closes when visibility is after_close, and refuses votes after it', async () => {
    const { site, poll } = await pollOn({ visibility: 'after_close' });
    const v = await vote(poll.id, [poll.options[0]!.id]);
    expect(v.body.poll.results).toBeNull();
    const closed = await updatePoll(parley.app.deps, editor(site.id), poll.id, { closed: true });
    expect(closed.state).toBe('closed');
    const read = await parley.http().get(`/api/v1/polls/${poll.id}`);
    expect(read.body.poll.results.voters).toBe(1);
    const late = await vote(poll.id, [poll.options[1]!.id], v.body.commenterToken);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('poll_closed');
    const withdraw = await parley.http().delete(`/api/v1/polls/${poll.id}/vote`).set('Authorization', `Bearer ${v.body.commenterToken}`);
    expect(withdraw.status).toBe(409);
    const reopened = await updatePoll(parley.app.deps, editor(site.id), poll.id, { closed: false });
    expect(reopened.state).toBe('open');
    expect((await vote(poll.id, [poll.options[1]!.id], v.body.commenterToken)).status).toBe(200);
  });

  it('closes by itself at its closing time', async () => {
    const { poll } = await pollOn({ closesAt: new Date(Date.now() + 1500).toISOString() });
    expect((await vote(poll.id, [poll.options[0]!.id])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const read = await parley.http().get(`/api/v1/polls/${poll.id}`);
    expect(read.body.poll.state).toBe('closed');
    expect((await vote(poll.id, [poll.options[0]!.id])).status).toBe(409);
  });

  it('counts 50 concurrent readers exactly: the tally equals the vote rows', async () => {
    const { poll } = await pollOn({ networkCap: 1000 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => vote(poll.id, [poll.options[i % 3]!.id])));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = await parley.http().get(`/api/v1/polls/${poll.id}`);
    const votes = final.body.poll.results.votes as Record<string, number>;
    expect(Object.values(votes).reduce((a, b) => a + b, 0)).toBe(50);
    expect(votes[poll.options[0]!.id]).toBe(17);
    expect(await ballots()).toBe(50);
  });

  it('counts 50 concurrent identical votes from one reader once', async () => {
    const { poll } = await pollOn();
    const first = await vote(poll.id, [poll.options[0]!.id]);
    const token = first.body.commenterToken;
    const answers = await Promise.all(Array.from({ length: 50 }, () => vote(poll.id, [poll.options[1]!.id], token)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = await parley.http().get(`/api/v1/polls/${poll.id}`);
    expect(final.body.poll.results).toMatchObject({ voters: 1, votes: { [poll.options[1]!.id]: 1, [poll.options[0]!.id]: 0 } });
  });

  it('caps votes per network, and a spoofed X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const { poll } = await pollOn({ networkCap: 3 });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await vote(poll.id, [poll.options[0]!.id], undefined, { 'X-Forwarded-For': `203.0.113.${i + 1}` });
      expect(res.status).toBe(200);
      tokens.push(res.body.commenterToken);
    }
    const fourth = await vote(poll.id, [poll.options[0]!.id], undefined, { 'X-Forwarded-For': '198.51.100.7' });
    expect(fourth.status).toBe(403);
    expect(fourth.body.error.code).toBe('network_vote_limit');
    // Someone who already voted may still change their mind.
    expect((await vote(poll.id, [poll.options[2]!.id], tokens[0])).status).toBe(200);
    expect(await ballots()).toBe(3);
  });

  it('validates new polls: 2 to 20 distinct options, a future closing time', () => {
    expect(CreatePollSchema.safeParse({ question: 'q', options: ['only one'] }).success).toBe(false);
    expect(CreatePollSchema.safeParse({ question: 'q', options: Array.from({ length: 21 }, (_, i) => `o${i}`) }).success).toBe(false);
    expect(CreatePollSchema.safeParse({ question: 'q', options: ['Same', 'same'] }).success).toBe(false);
    expect(CreatePollSchema.safeParse({ question: 'q', options: ['a', 'b'], closesAt: '2001-01-01T00:00:00Z' }).success).toBe(false);
    expect(CreatePollSchema.safeParse({ question: 'q', options: ['a', 'b'], kind: 'multiple', maxChoices: 3 }).success).toBe(false);
    expect(CreatePollSchema.safeParse({ question: 'q', options: ['a', 'b'] }).success).toBe(true);
  });

  it('does not let a manager of another site create or edit a poll: 404', async () => {
    const { thread, poll } = await pollOn();
    const other = editor('another-site');
    await expect(createPoll(parley.app.deps, other, thread.id, CreatePollSchema.parse({ question: 'q', options: ['a', 'b'] }))).rejects.toMatchObject({ code: 'not_found' });
    await expect(updatePoll(parley.app.deps, other, poll.id, { closed: true })).rejects.toMatchObject({ code: 'not_found' });
  });
});
