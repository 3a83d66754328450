import { sql } from 'kysely';
import { hashSecret } from '../../server/ids';
import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll } from '../../server/polls/poll.service';
import { buildSite, buildThread } from '../helpers/factories';
import { addEdit, commenterIdOf, dishonestCounters, flag, postAs, react, scanDatabase, tableNames } from './helpers';
import { useParley } from '../helpers/parley';

const parley = useParley({ TRUST_PROXY: 'loopback' }, { capture: true });

const VICTIM = {
  name: 'Marguerite Quatremer',
  email: 'marguerite.quatremer@example.org',
  ip: '203.0.113.77',
  userAgent: 'QuatremerBrowser/7.1 (erasure test)',
};
const OTHER = { name: 'Paul Ducklin', ip: '198.51.100.10' };

/** A thread from the seed article where the victim posted, replied, reacted, flagged, edited and was moderated. */
async function scene() {
  const db = parley.db;
  const site = await buildSite(db);
  const thread = await buildThread(db, site.id, { key: 'naked-security-clearview' });
  const as = { ip: VICTIM.ip, userAgent: VICTIM.userAgent };

  const a = await postAs(parley, thread.id, { body: 'We need to instate the corporate death penalty. Quatremer out.', name: VICTIM.name, email: VICTIM.email, website: 'https://quatremer.example' }, as);
  expect(a.status).toBe(201);
  const token: string = a.body.commenterToken;
  const aId: string = a.body.comment.id;
  const victimId = await commenterIdOf(db, aId);

  const r1 = await postAs(parley, thread.id, { body: 'Insolvency springs to mind.', name: OTHER.name, parentId: aId }, { ip: OTHER.ip });
  const otherToken: string = r1.body.commenterToken;
  const otherId = await commenterIdOf(db, r1.body.comment.id);
  const a2 = await postAs(parley, thread.id, { body: 'Off with their heads, says Quatremer.', parentId: r1.body.comment.id }, { token, ...as });
  const pending = await postAs(parley, thread.id, { body: 'Quatremer links https://a.example https://b.example https://c.example' }, { token, ...as });
  expect(pending.body.comment.status).toBe('pending');
  const b = await postAs(parley, thread.id, { body: 'Clearview will never pay.' }, { token: otherToken, ip: OTHER.ip });
  const rejected = await postAs(parley, thread.id, { body: 'Quatremer rant a moderator will reject' }, { token, ...as });

  // A moderator rejects one of hers (the moderation API is another domain: the decision as stored).
  await db.updateTable('comments').set({ status: 'rejected', previous_status: 'approved' }).where('id', '=', rejected.body.comment.id).execute();
  await db.updateTable('threads').set((eb) => ({ comment_count: eb('comment_count', '-', 1) })).where('id', '=', thread.id).execute();

  await react(db, b.body.comment.id, victimId);
  await react(db, r1.body.comment.id, victimId);
  await react(db, aId, otherId);
  await flag(db, b.body.comment.id, victimId, 'spam', 'Quatremer thinks this is off-topic');
  await addEdit(db, aId, 'First draft by Quatremer');
  await db
    .insertInto('idempotency_keys')
    .values({
      scope: `commenter:${victimId}`,
      key: 'retry-1',
      request_hash: 'x',
      state: 'done',
      response_status: 201,
      response_body: JSON.stringify({ comment: a.body.comment, commenterToken: token }),
      expires_at: new Date(Date.now() + 86_400_000),
    })
    .execute();

  // The article's poll: she votes, and so do two others.
  const poll = await createPoll(
    parley.app.deps,
    { memberId: null, canManage: async () => true },
    thread.id,
    CreatePollSchema.parse({ question: 'How would you resolve this stand-off?', options: ['A wave of the wand', 'A stroke of the pen', 'A Jedi mind-trick'] }),
  );
  const vote = (optionIds: string[], token: string, ip: string) =>
    parley.http().put(`/api/v1/polls/${poll.id}/vote`).set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', ip).send({ optionIds });
  const [wand, pen] = poll.options.map((o) => o.id);
  expect((await vote([wand!], token, VICTIM.ip)).status).toBe(200);
  expect((await vote([wand!], otherToken, OTHER.ip)).status).toBe(200);
  const third = await parley.http().put(`/api/v1/polls/${poll.id}/vote`).set('X-Forwarded-For', '192.0.2.50').send({ optionIds: [pen] });
  expect(third.status).toBe(200);

  const victim = await db.selectFrom('commenters').selectAll().where('id', '=', victimId).executeTakeFirstOrThrow();
  const hashes = (await db.selectFrom('comments').select('ip_hash').where('commenter_id', '=', victimId).execute()).map((r) => r.ip_hash!);
  hashes.push((await db.selectFrom('poll_ballots').select('ip_hash').where('commenter_id', '=', victimId).executeTakeFirstOrThrow()).ip_hash!);
  return { site, thread, poll, token, victimId, victim, hashes, ids: { a: aId, r1: r1.body.comment.id, a2: a2.body.comment.id, pending: pending.body.comment.id, b: b.body.comment.id, rejected: rejected.body.comment.id } };
}

describe('DELETE /me', () => {
  it('erases a commenter at once and leaves nothing of them in any table or log', async () => {
    const s = await scene();
    expect(s.hashes.length).toBe(5);
    const needles = [VICTIM.name, VICTIM.email, 'Quatremer', s.victim.token_hash!, s.token, s.victimId, ...new Set(s.hashes), VICTIM.userAgent, VICTIM.ip];
    // The scene really put them everywhere first.
    const before = await scanDatabase(parley.db, needles);
    expect(new Set(before.map((f) => f.table))).toEqual(
      new Set([
        'commenters', 'comments', 'comment_edits', 'flags', 'reactions', 'thread_events', 'idempotency_keys', 'poll_ballots', 'poll_choices',
        // The abuse defence's post fingerprints carry the commenter and network hash.
        'abuse_fingerprints',
        // On PostgreSQL the flood counters live in the database too, keyed by commenter and network.
        ...(process.env.DATABASE_URL ? ['rate_limits'] : []),
      ]),
    );
    const results = async () => (await parley.http().get(`/api/v1/polls/${s.poll.id}`)).body.poll.results;
    const tallyBefore = await results();
    const seqBefore = (await parley.db.selectFrom('threads').select('seq').where('id', '=', s.thread.id).executeTakeFirstOrThrow()).seq;

    const res = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`);
    expect(res.status).toBe(200);
    expect(res.body.erasure).toMatchObject({ erased: true, comments: 4, reactions: 2, flags: 1, edits: 1, idempotencyKeys: 1, votes: 1, commenterRemoved: true });

    const after = await scanDatabase(parley.db, needles);
    expect(after).toEqual([]);
    expect(await tableNames(parley.db)).toEqual(expect.arrayContaining(['comments', 'commenters', 'thread_events', 'privacy_requests', 'hash_keys']));
    for (const needle of needles) expect(parley.logs()).not.toContain(needle);

    // Replies by others keep their place under a tombstone, still readable.
    const list = await parley.http().get(`/api/v1/threads/${s.thread.id}/comments`);
    const top = list.body.items.find((c: { id: string }) => c.id === s.ids.a);
    expect(top).toMatchObject({ status: 'deleted', bodyHtml: '', author: { name: null, website: null, badge: null }, replyCount: 1 });
    expect(top.replies.items.map((r: { id: string }) => r.id)).toEqual([s.ids.r1]);
    expect(top.replies.items[0]).toMatchObject({ bodyHtml: '<p>Insolvency springs to mind.</p>', author: { name: OTHER.name }, replyCount: 0, reactionCount: 0 });
    const b = list.body.items.find((c: { id: string }) => c.id === s.ids.b);
    expect(b).toMatchObject({ reactionCount: 0 });
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([s.ids.a, s.ids.b]);

    // The poll's results are what they were, minus her vote; live results are told to refresh.
    const [wand, pen, jedi] = s.poll.options.map((o) => o.id);
    expect(tallyBefore).toMatchObject({ voters: 3, votes: { [wand!]: 2, [pen!]: 1, [jedi!]: 0 } });
    expect(await results()).toMatchObject({ voters: 2, votes: { [wand!]: 1, [pen!]: 1, [jedi!]: 0 } });
    expect(parley.events('poll.voted').filter((e) => e.commenterId === s.victimId).at(-1)).toMatchObject({ pollId: s.poll.id });

    // Every counter still equals what it counts; the thread lost her approved comments only.
    expect(await dishonestCounters(parley.db)).toEqual([]);
    const thread = await parley.http().get(`/api/v1/threads/${s.thread.id}`);
    expect(thread.body.thread.commentCount).toBe(2);
    // Her report stays a report, without her.
    const flags = await parley.db.selectFrom('flags').selectAll().execute();
    expect(flags).toEqual([expect.objectContaining({ comment_id: s.ids.b, commenter_id: null, note: null, reason: 'spam' })]);
    // Tombstones hold nothing of their author.
    const rows = await parley.db.selectFrom('comments').selectAll().where('id', 'in', [s.ids.a, s.ids.a2, s.ids.pending, s.ids.rejected]).execute();
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'deleted', commenter_id: null, author_name: null, author_website: null, body_src: '', body_html: '', ip_hash: null, user_agent: null });
    }

    // Live readers are told, in seq order, once per comment they could see; the realtime layer is told to hang up.
    const removed = parley.events('thread.event').filter((e) => e.event === 'comment:removed');
    expect(removed.map((e) => (e.payload.comment as { id: string }).id).sort()).toEqual([s.ids.a, s.ids.a2].sort());
    expect(removed.every((e) => e.audience === null && e.seq > seqBefore)).toBe(true);
    const updated = parley.events('thread.event').filter((e) => e.event === 'comment:updated');
    expect(updated.map((e) => (e.payload.comment as { id: string }).id).sort()).toEqual([s.ids.b, s.ids.r1].sort());
    const seqs = [...removed, ...updated].map((e) => e.seq).sort((x, y) => x - y);
    expect(seqs).toEqual([seqBefore + 1, seqBefore + 2, seqBefore + 3, seqBefore + 4]);
    const log = await parley.db.selectFrom('thread_events').select(['seq', 'event']).where('thread_id', '=', s.thread.id).where('seq', '>', seqBefore).orderBy('seq').execute();
    expect(log.map((e) => e.seq)).toEqual(seqs);
    expect(parley.events('commenter.revoked')).toEqual([{ commenterId: s.victimId }]);
    expect(parley.events('comment.status').filter((e) => e.from !== null).map((e) => [e.commentId, e.from, e.to]).sort()).toEqual(
      [
        [s.ids.a, 'approved', 'deleted'],
        [s.ids.a2, 'approved', 'deleted'],
        [s.ids.pending, 'pending', 'deleted'],
        [s.ids.rejected, 'rejected', 'deleted'],
      ].sort(),
    );
  });

  it('answers a repeat with 401 and a message that says the erasure is complete', async () => {
    const s = await scene();
    expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`)).status).toBe(200);
    const again = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`);
    expect(again.status).toBe(401);
    expect(again.body.error).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/erasure is complete/) });
    expect((await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${s.token}`)).status).toBe(401);
    // The token cannot post as anyone any more.
    const post = await postAs(parley, s.thread.id, { body: 'still me?' }, { token: s.token });
    expect(post.status).toBe(401);
  });

  it('erases once when two requests race, and the loser changes nothing', async () => {
    const s = await scene();
    const [x, y] = await Promise.all([
      parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`),
      parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`),
    ]);
    const answers = [x, y].map((r) => (r.status === 200 ? (r.body.erasure.erased ? 'erased' : 'already') : r.status));
    expect(answers.filter((a) => a === 'erased')).toHaveLength(1);
    expect(answers.every((a) => a === 'erased' || a === 'already' || a === 401)).toBe(true);
    expect(parley.events('commenter.revoked')).toHaveLength(1);
    expect(await dishonestCounters(parley.db)).toEqual([]);
  });

  it('keeps counting a reply of theirs that others answered: it stays as a tombstone under its parent', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id, { key: 'nested-erasure' });
    const top = await postAs(parley, thread.id, { body: 'How would you resolve this stand-off?', name: OTHER.name }, { ip: OTHER.ip });
    const mine = await postAs(parley, thread.id, { body: 'A wave of the wand, says Quatremer.', name: VICTIM.name, parentId: top.body.comment.id }, { ip: VICTIM.ip });
    const answer = await postAs(parley, thread.id, { body: 'Which wand?', parentId: mine.body.comment.id }, { token: top.body.commenterToken, ip: OTHER.ip });
    expect(answer.status).toBe(201);

    expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${mine.body.commenterToken}`)).status).toBe(200);

    const page = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(page.body.items).toHaveLength(1);
    const [parent] = page.body.items;
    expect(parent.replyCount).toBe(1);
    expect(parent.replies.total).toBe(1);
    expect(parent.replies.items[0]).toMatchObject({ id: mine.body.comment.id, status: 'deleted', bodyHtml: '', author: { name: null } });
    const under = await parley.http().get(`/api/v1/comments/${mine.body.comment.id}/replies`);
    expect(under.body.items.map((c: { bodyHtml: string }) => c.bodyHtml)).toEqual(['<p>Which wand?</p>']);
    expect(await dishonestCounters(parley.db)).toEqual([]);
  });

  it('requires a commenter token', async () => {
    const none = await parley.http().delete('/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    const wrong = await parley.http().delete('/api/v1/me').set('Authorization', 'Bearer ct_not-a-real-token-at-all-000000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/not known/);
  });

  it('leaves other commenters exactly as they were', async () => {
    const s = await scene();
    const others = async () =>
      parley.db.selectFrom('comments').selectAll().where('commenter_id', 'is not', null).where('commenter_id', '<>', s.victimId).orderBy('id').execute();
    const before = (await others()).map(({ seq, reaction_count, reply_count, ...rest }) => rest);
    await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`);
    const after = (await others()).map(({ seq, reaction_count, reply_count, ...rest }) => rest);
    expect(after).toEqual(before);
    expect((await parley.db.selectFrom('commenters').select('name').execute()).map((c) => c.name).sort()).toEqual([OTHER.name, null]);
    expect(hashSecret(s.token)).toBe(s.victim.token_hash);
  });

  it('deletes the shared flood counters kept under their id and network', async () => {
    const s = await scene();
    // The reader API's flood limits keep counters in `rate_limits` on PostgreSQL (their layout).
    const existed = (await sql<{ t: string | null }>`select to_regclass('public.rate_limits')::text as t`.execute(parley.db)).rows[0]!.t;
    if (!existed) await sql`create table rate_limits (key varchar(255) primary key, points integer not null default 0, expire bigint)`.execute(parley.db);
    try {
      const keys = [`flood:comment:c:${s.victimId}`, `flood:comment:n:${s.hashes[0]}`, 'flood:comment:n:someone-else-entirely'];
      // On PostgreSQL the scene's own writes already counted some of these.
      for (const key of keys) {
        await sql`insert into rate_limits (key, points, expire) values (${key}, 1, ${Date.now() + 60_000}) on conflict (key) do nothing`.execute(parley.db);
      }
      expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${s.token}`)).status).toBe(200);
      const left = (await sql<{ key: string }>`select key from rate_limits where key like 'flood:%' order by key`.execute(parley.db)).rows.map((r) => r.key);
      expect(left).toContain('flood:comment:n:someone-else-entirely');
      expect(left.filter((k) => k.includes(s.victimId) || s.hashes.some((h) => k.includes(h)))).toEqual([]);
      await sql`delete from rate_limits where key = 'flood:comment:n:someone-else-entirely'`.execute(parley.db);
    } finally {
      if (!existed) await sql`drop table rate_limits`.execute(parley.db);
    }
  });
});

