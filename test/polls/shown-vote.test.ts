import { CreatePollSchema } from '../../server/polls/poll.schema';
import type { KyselyPlugin } from 'kysely';
import { createPoll, type PollManager } from '../../server/polls/poll.service';
import { shownVotes } from '../../server/polls/shown-vote.service';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call, recordEvents } from '../helpers/reader';

const parley = useParley();

const db = () => parley.database.db;
const editor = (siteId: string): PollManager => ({ memberId: null, canManage: async (s) => s === siteId });
const OPTIONS = ['A wave of the wand', 'A stroke of the pen', 'A Jedi mind-trick'];

async function threadWithPoll(siteId: string, question = 'If you were Queen, how would you resolve this stand-off?') {
  const thread = await buildThread(db(), siteId);
  const poll = await createPoll(parley.app.deps, editor(siteId), thread.id, CreatePollSchema.parse({ question, options: OPTIONS }));
  return { thread, poll };
}

/** A reader who comments on a thread: their token and comment id. */
async function reader(threadId: string, body: string, name: string) {
  const res = await postComment(parley, threadId, { body, name });
  expect(res.status).toBe(201);
  return { token: res.body.commenterToken as string, commentId: res.body.comment.id as string };
}

const vote = (pollId: string, optionIds: string[], token: string) => call(parley, 'put', `/polls/${pollId}/vote`, { optionIds }, { token });
const showVote = (token: string, on: boolean) => call(parley, 'patch', '/me', { showVote: on }, { token });
const page = async (threadId: string) => (await call(parley, 'get', `/threads/${threadId}/comments`)).body;
/** What another reader sees next to each comment of the thread's first page, by body text. */
async function votesShown(threadId: string): Promise<Record<string, string[] | null>> {
  const body = await page(threadId);
  const out: Record<string, string[] | null> = {};
  for (const c of body.items) {
    out[c.bodyHtml.replace(/<[^>]+>/g, '').trim()] = c.vote?.options ?? null;
    for (const r of c.replies.items) out[r.bodyHtml.replace(/<[^>]+>/g, '').trim()] = r.vote?.options ?? null;
  }
  return out;
}

describe('showing one’s vote next to one’s comments', () => {
  it('is off by default, and once switched on shows the current choice to every reader', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    const ann = await reader(thread.id, 'Off with their heads.', 'Ann');
    expect((await vote(poll.id, [poll.options[0]!.id], ann.token)).status).toBe(200);

    expect(await votesShown(thread.id)).toEqual({ 'Off with their heads.': null });
    const me = await call(parley, 'get', '/me', undefined, { token: ann.token });
    expect(me.body.commenter.showVote).toBe(false);

    const on = await showVote(ann.token, true);
    expect(on.status).toBe(200);
    expect(on.body.commenter.showVote).toBe(true);
    const shown = await page(thread.id);
    expect(shown.items[0].vote).toEqual({ pollId: poll.id, options: ['A wave of the wand'] });
    // The permalink and the replies list say the same.
    const reply = await postComment(parley, thread.id, { body: 'And a reply.', parentId: ann.commentId }, ann.token);
    expect((await call(parley, 'get', `/comments/${ann.commentId}`)).body.comment.vote).toEqual({ pollId: poll.id, options: ['A wave of the wand'] });
    const replies = await call(parley, 'get', `/comments/${ann.commentId}/replies`);
    expect(replies.body.items.map((r: { id: string; vote?: unknown }) => [r.id, r.vote])).toEqual([
      [reply.body.comment.id, { pollId: poll.id, options: ['A wave of the wand'] }],
    ]);
  });

  it('travels with a new comment: live readers and the replay log see it at once', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    const ann = await reader(thread.id, 'Off with their heads.', 'Ann');
    const bob = await reader(thread.id, 'Mind tricks never fail.', 'Bob');
    await showVote(ann.token, true);
    await vote(poll.id, [poll.options[0]!.id], ann.token);
    await vote(poll.id, [poll.options[2]!.id], bob.token); // Bob does not show his

    const events = recordEvents(parley);
    const second = await postComment(parley, thread.id, { body: 'And another thing.' }, ann.token);
    const bobs = await postComment(parley, thread.id, { body: 'Bob again.' }, bob.token);
    const created = events.of('thread.event').filter((e) => e.event === 'comment:created');
    expect(created.map((e) => { const c = (e.payload as { comment: { id: string; vote?: unknown } }).comment; return [c.id, c.vote ?? null]; })).toEqual([
      [second.body.comment.id, { pollId: poll.id, options: ['A wave of the wand'] }],
      [bobs.body.comment.id, null],
    ]);
    // A reader catching up with `since` gets the same payload from the event log.
    const logged = await db().selectFrom('thread_events').select(['seq', 'payload']).where('thread_id', '=', thread.id).where('seq', '=', created[0]!.seq).executeTakeFirstOrThrow();
    expect((logged.payload as { comment: { vote?: unknown } }).comment.vote).toEqual({ pollId: poll.id, options: ['A wave of the wand'] });
    events.stop();
  });

  it('follows a changed and a withdrawn vote, and each change moves the thread’s seq with a live update', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    const ann = await reader(thread.id, 'Off with their heads.', 'Ann');
    const bob = await reader(thread.id, 'Mind tricks never fail.', 'Bob');
    await showVote(ann.token, true);
    await vote(poll.id, [poll.options[0]!.id], ann.token);
    await vote(poll.id, [poll.options[2]!.id], bob.token); // Bob does not show his
    expect(await votesShown(thread.id)).toEqual({ 'Off with their heads.': ['A wave of the wand'], 'Mind tricks never fail.': null });

    const events = recordEvents(parley);
    const before = (await page(thread.id)).seq;
    await vote(poll.id, [poll.options[1]!.id], ann.token);
    expect(await votesShown(thread.id)).toMatchObject({ 'Off with their heads.': ['A stroke of the pen'] });
    const changed = events.of('thread.event');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ event: 'comment:updated', audience: null, seq: before + 1 });
    expect(changed[0]!.payload).toMatchObject({ comment: { id: ann.commentId, vote: { pollId: poll.id, options: ['A stroke of the pen'] } } });
    expect((await page(thread.id)).seq).toBe(before + 1);

    events.clear();
    expect((await call(parley, 'delete', `/polls/${poll.id}/vote`, undefined, { token: ann.token })).status).toBe(200);
    expect(await votesShown(thread.id)).toEqual({ 'Off with their heads.': null, 'Mind tricks never fail.': null });
    expect(events.of('thread.event').map((e) => ('comment' in e.payload ? e.payload.comment : e.payload))).toEqual([expect.objectContaining({ id: ann.commentId, vote: null })]);

    // Bob's vote changes move nothing: his comments never showed it.
    events.clear();
    await vote(poll.id, [poll.options[0]!.id], bob.token);
    expect(events.of('thread.event')).toEqual([]);
    events.stop();
  });

  it('stops showing it, everywhere at once, when switched off', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    const ann = await reader(thread.id, 'Off with their heads.', 'Ann');
    await vote(poll.id, [poll.options[0]!.id], ann.token);
    await showVote(ann.token, true);
    const events = recordEvents(parley);
    await showVote(ann.token, false);
    expect(await votesShown(thread.id)).toEqual({ 'Off with their heads.': null });
    expect(events.of('thread.event').map((e) => [e.event, 'comment' in e.payload ? e.payload.comment.vote : undefined])).toEqual([['comment:updated', null]]);
    // Sending the same setting again changes nothing and announces nothing.
    events.clear();
    await showVote(ann.token, false);
    expect(events.of('thread.event')).toEqual([]);
    events.stop();
  });

  it('never shows a vote from another thread’s poll', async () => {
    const site = await buildSite(db());
    const a = await threadWithPoll(site.id);
    const b = await threadWithPoll(site.id, 'If you were King?');
    const noPoll = await buildThread(db(), site.id);
    const ann = await reader(a.thread.id, 'On thread A.', 'Ann');
    await showVote(ann.token, true);
    await postComment(parley, b.thread.id, { body: 'On thread B.' }, ann.token);
    await postComment(parley, noPoll.id, { body: 'On a thread without a poll.' }, ann.token);
    await vote(b.poll.id, [b.poll.options[2]!.id], ann.token);

    expect(await votesShown(a.thread.id)).toEqual({ 'On thread A.': null });
    expect(await votesShown(noPoll.id)).toEqual({ 'On a thread without a poll.': null });
    expect(await votesShown(b.thread.id)).toEqual({ 'On thread B.': ['A Jedi mind-trick'] });
  });

  it('shows each author their own choice across a page, and none on a deleted comment', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    const people: Array<{ token: string; commentId: string }> = [];
    for (const [i, name] of ['Ann', 'Bob', 'Cat', 'Dan'].entries()) {
      const r = await reader(thread.id, `Comment by ${name}.`, name);
      await showVote(r.token, true);
      await vote(poll.id, [poll.options[i % 3]!.id], r.token);
      people.push(r);
    }
    await postComment(parley, thread.id, { body: 'Reply to Ann.', parentId: people[0]!.commentId }, people[1]!.token);
    expect(await votesShown(thread.id)).toEqual({
      'Comment by Ann.': ['A wave of the wand'],
      'Reply to Ann.': ['A stroke of the pen'],
      'Comment by Bob.': ['A stroke of the pen'],
      'Comment by Cat.': ['A Jedi mind-trick'],
      'Comment by Dan.': ['A wave of the wand'],
    });
    // Deleting the commented-on comment leaves a tombstone (it holds a reply) with no vote.
    expect((await call(parley, 'delete', `/comments/${people[0]!.commentId}`, undefined, { token: people[0]!.token })).status).toBe(200);
    const after = await page(thread.id);
    const tomb = after.items.find((c: { id: string }) => c.id === people[0]!.commentId);
    expect(tomb.status).toBe('deleted');
    expect(tomb.vote).toBeUndefined();
  });

  it('reads the shown votes of a whole page of authors in one query', async () => {
    const site = await buildSite(db());
    const { thread, poll } = await threadWithPoll(site.id);
    // Five voters: the poll's default cap per network (all test requests share one).
    for (let i = 0; i < 5; i++) {
      const r = await reader(thread.id, `Comment ${i}.`, `Reader ${i}`);
      await postComment(parley, thread.id, { body: `Another by ${i}.` }, r.token);
      if (i % 2 === 0) await showVote(r.token, true);
      expect((await vote(poll.id, [poll.options[i % 3]!.id], r.token)).status).toBe(200);
    }
    let queries = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const rows = await db().selectFrom('comments').selectAll().where('thread_id', '=', thread.id).execute();
    const votes = await shownVotes(db().withPlugin(counter), rows);
    expect(rows).toHaveLength(10);
    expect(queries).toBe(1);
    // Readers 0, 2 and 4 show their vote, on both of their comments.
    const byBody = Object.fromEntries(rows.map((r) => [r.body_src, votes.get(r.id)?.options ?? null]));
    expect(byBody).toEqual({
      'Comment 0.': ['A wave of the wand'],
      'Another by 0.': ['A wave of the wand'],
      'Comment 1.': null,
      'Another by 1.': null,
      'Comment 2.': ['A Jedi mind-trick'],
      'Another by 2.': ['A Jedi mind-trick'],
      'Comment 3.': null,
      'Another by 3.': null,
      'Comment 4.': ['A stroke of the pen'],
      'Another by 4.': ['A stroke of the pen'],
    });
  });

  it('refuses a showVote that is not true or false', async () => {
    const site = await buildSite(db());
    const { thread } = await threadWithPoll(site.id);
    const ann = await reader(thread.id, 'Hello.', 'Ann');
    const res = await call(parley, 'patch', '/me', { showVote: 'yes' }, { token: ann.token });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toMatch(/showVote/);
  });
});
