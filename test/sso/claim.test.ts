import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll } from '../../server/polls/poll.service';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { scanDatabase } from '../privacy/helpers';
import { startTestParley, type TestParley } from '../helpers/parley';
import { connected, emitAck, record, waitFor, type RawSocket } from '../realtime/helpers';
import { login, signFor, ssoScene, type SsoScene } from './helpers';

/** A reader who wrote anonymously and then signs in keeps those comments only by proving them with their token. */
let parley: TestParley;
let scene: SsoScene;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  parley = await startTestParley();
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  scene = await ssoScene(parley);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

const ADA = { sub: 'acct|77', name: 'Ada Subscriber', badge: 'Subscriber', website: 'https://ada.example/' };
const asReader = (token: string) => ({ Authorization: `Bearer ${token}` });
const claim = (bearer: string, commenterToken: string) =>
  parley.http().post('/api/v1/sso/claim').set(asReader(bearer)).set('Content-Type', 'application/json').send({ commenterToken });
const page = async (token?: string) => {
  let req = parley.http().get(`/api/v1/threads/${scene.threadId}/comments`);
  if (token) req = req.set(asReader(token));
  return (await req).body.items as Array<{ id: string; author: Record<string, unknown>; mine?: boolean }>;
};

async function anonymousComments() {
  const first = await postComment(parley, scene.threadId, { body: 'Written before I subscribed.', name: 'ada42' });
  expect(first.status).toBe(201);
  const token = first.body.commenterToken as string;
  const second = await postComment(parley, scene.threadId, { body: 'And a second one.' }, token);
  expect(second.status).toBe(201);
  return { token, ids: [first.body.comment.id, second.body.comment.id] as string[] };
}

describe('carrying earlier anonymous comments over to the account', () => {
  it('offers them at sign-in, moves them only on the claim, and every reader sees the account’s name live', async () => {
    const anon = await anonymousComments();
    const bystander = await connected(parley.url, { origin: 'http://parley.test' });
    sockets.push(bystander);
    const seen = record(bystander, ['comment:updated']);
    expect((await emitAck(bystander, 'thread:join', { threadId: scene.threadId })).error).toBeUndefined();

    // Signing in from the browser that holds the anonymous token: offered, nothing moved yet.
    const res = await login(parley, { site: scene.siteId, token: await signFor(scene, ADA) }, anon.token);
    expect(res.status).toBe(200);
    expect(res.body.claimable).toEqual({ comments: 2 });
    const account = res.body.commenterToken as string;
    expect(account).not.toBe(anon.token);
    expect((await page(account)).map((c) => [c.author.name, !!c.mine])).toEqual([['ada42', false], ['ada42', false]]);

    const claimed = await claim(account, anon.token);
    expect([claimed.status, claimed.body]).toEqual([200, { claimed: { comments: 2 } }]);
    const after = await page(account);
    expect(after.map((c) => [c.author, !!c.mine])).toEqual(
      [0, 1].map(() => [{ name: ADA.name, website: ADA.website, badge: null, readerBadge: 'Subscriber' }, true]),
    );
    // The anonymous token owns them no more: it is not even a token any more.
    expect((await parley.http().get(`/api/v1/threads/${scene.threadId}/comments`).set(asReader(anon.token))).status).toBe(401);
    await waitFor(() => seen.length >= 2, 5000, 'the live updates');
    expect(seen.map((e) => [e.payload.comment.id, e.payload.comment.author.name]).sort()).toEqual(anon.ids.map((id) => [id, ADA.name]).sort());

    // Offered once: the anonymous token stopped working, so it is offered no more and a second claim is refused.
    expect((await parley.http().get('/api/v1/me').set(asReader(anon.token))).status).toBe(401);
    expect((await postComment(parley, scene.threadId, { body: 'Posting with the old token.' }, anon.token)).status).toBe(401);
    const again = await login(parley, { site: scene.siteId, token: await signFor(scene, ADA) }, anon.token);
    expect(again.body.claimable).toBeUndefined();
    const twice = await claim(account, anon.token);
    expect([twice.status, twice.body.error.code]).toEqual([403, 'claim_refused']);
    expect((await page(account)).filter((c) => c.mine)).toHaveLength(2);
  });

  it('carries the anonymous reader’s likes and poll vote over too, and leaves nothing of that identity behind', async () => {
    const anon = await anonymousComments();
    const other = await postComment(parley, scene.threadId, { body: 'Someone else’s comment.', name: 'Bea' });
    const liked = await parley.http().put(`/api/v1/comments/${other.body.comment.id}/reaction`).set(asReader(anon.token));
    expect([liked.status, liked.body.comment.reactionCount]).toEqual([200, 1]);
    const poll = await createPoll(
      parley.app.deps,
      { memberId: null, canManage: async (s) => s === scene.siteId },
      scene.threadId,
      CreatePollSchema.parse({ question: 'Should the bridge be rebuilt?', options: ['Yes', 'No'] }),
    );
    const optionId = poll.options[1]!.id;
    const voted = await parley.http().put(`/api/v1/polls/${poll.id}/vote`).set(asReader(anon.token)).send({ optionIds: [optionId] });
    expect(voted.status).toBe(200);
    const anonId = (await parley.http().get('/api/v1/me').set(asReader(anon.token))).body.commenter.id as string;

    const res = await login(parley, { site: scene.siteId, token: await signFor(scene, ADA) }, anon.token);
    const account = res.body.commenterToken as string;
    expect((await claim(account, anon.token)).body).toEqual({ claimed: { comments: 2 } });

    const likedNow = (await page(account)).find((c) => c.id === other.body.comment.id) as { reacted?: boolean; reactionCount: number } | undefined;
    expect([likedNow?.reacted, likedNow?.reactionCount]).toEqual([true, 1]);
    const pollNow = await parley.http().get(`/api/v1/polls/${poll.id}`).set(asReader(account));
    expect(pollNow.body.poll.myVote).toEqual([optionId]);
    expect(pollNow.body.poll.results.voters).toBe(1);
    // The anonymous identity is gone: no row anywhere holds its id.
    expect(await scanDatabase(parley.database.db, [anonId])).toEqual([]);
  });

  it('moves nothing without the proof: signing in alone, a wrong token, or another account’s token', async () => {
    const anon = await anonymousComments();
    const plain = await login(parley, { site: scene.siteId, token: await signFor(scene, ADA) });
    expect(plain.body.claimable).toBeUndefined();
    const account = plain.body.commenterToken as string;
    expect((await page(account)).some((c) => c.mine)).toBe(false);

    const wrong = await claim(account, 'ct_' + 'x'.repeat(40));
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'claim_refused']);
    const other = await login(parley, { site: scene.siteId, token: await signFor(scene, { ...ADA, sub: 'acct|78', name: 'Bea' }) });
    const otherAccount = await claim(account, other.body.commenterToken);
    expect([otherAccount.status, otherAccount.body.error.code]).toEqual([403, 'claim_refused']);
    // Only a signed-in reader claims: an anonymous one cannot take another's comments.
    const stranger = await postComment(parley, scene.threadId, { body: 'Me too.', name: 'Mallory' });
    const byAnon = await claim(stranger.body.commenterToken, anon.token);
    expect([byAnon.status, byAnon.body.error.code]).toEqual([403, 'not_signed_in']);
    expect((await parley.http().post('/api/v1/sso/claim').send({ commenterToken: anon.token })).status).toBe(401);
    const bad = await parley.http().post('/api/v1/sso/claim').set(asReader(account)).send({ token: anon.token });
    expect(bad.status).toBe(400);

    const authors = (await page(anon.token)).filter((c) => c.mine).map((c) => c.author.name);
    expect(authors).toEqual(['ada42', 'ada42']);
  });

  it('carries over only the account’s own site’s comments', async () => {
    const anon = await anonymousComments();
    const elsewhere = await buildSite(parley.database.db);
    const otherThread = await buildThread(parley.database.db, elsewhere.id);
    expect((await postComment(parley, otherThread.id, { body: 'On another site.' }, anon.token)).status).toBe(201);
    const res = await login(parley, { site: scene.siteId, token: await signFor(scene, ADA) }, anon.token);
    expect(res.body.claimable).toEqual({ comments: 2 });
    expect((await claim(res.body.commenterToken, anon.token)).body).toEqual({ claimed: { comments: 2 } });
    const other = await parley.http().get(`/api/v1/threads/${otherThread.id}/comments`).set(asReader(anon.token));
    expect(other.body.items.map((c: { mine?: boolean; author: { name: string } }) => [c.author.name, !!c.mine])).toEqual([['ada42', true]]);
    // Its token still works there, but proves nothing more here.
    const twice = await claim(res.body.commenterToken, anon.token);
    expect([twice.status, twice.body.error.code]).toEqual([403, 'claim_refused']);
  });
});
