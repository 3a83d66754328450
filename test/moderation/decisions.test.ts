import type { DomainEvents } from '../../server/events';
import { buildComment, buildSite, buildThread, postComment } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import { dishonestCounters } from '../privacy/helpers';
import { connected, eventsAfter, emitAck, type RawSocket, record, THREAD_EVENTS, waitFor } from '../realtime/helpers';

let parley: TestParley;
const statusEvents: Array<DomainEvents['comment.status']> = [];
const threadEvents: Array<DomainEvents['thread.event']> = [];
beforeAll(async () => {
  parley = await startTestParley();
  parley.app.deps.bus.on('comment.status', (e) => statusEvents.push(e));
  parley.app.deps.bus.on('thread.event', (e) => threadEvents.push(e));
});
afterAll(() => parley.close());
beforeEach(async () => {
  await parley.reset();
  statusEvents.length = 0;
  threadEvents.length = 0;
});
const sockets: RawSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

const db = () => parley.database.db;
const threadRow = (id: string) => db().selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const commentRow = (id: string) => db().selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const events = (threadId: string) => db().selectFrom('thread_events').selectAll().where('thread_id', '=', threadId).orderBy('seq').execute();
const log = () => db().selectFrom('moderation_log').selectAll().orderBy('id').execute();

async function setup(settings: Record<string, unknown> = { moderation: 'pre' }) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator', { name: 'Mary Moderator' });
  return { site, thread, mod };
}

describe('a decision', () => {
  it('approving a held comment publishes it: counters, the next seq, a public event, a status event and a log entry', async () => {
    const { thread, mod } = await setup();
    const posted = await postComment(parley, thread.id, { body: 'How would you resolve this stand-off?' });
    expect(posted.body.comment.status).toBe('pending');
    const before = await threadRow(thread.id);

    const res = await mod.call('post', `/moderation/comments/${posted.body.comment.id}/decision`, { action: 'approve', reason: 'fine' });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: posted.body.comment.id, status: 'approved', version: 1, seq: before.seq + 1 });

    const after = await threadRow(thread.id);
    expect(after).toMatchObject({ comment_count: 1, seq: before.seq + 1 });
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([posted.body.comment.id]);

    const last = (await events(thread.id)).at(-1)!;
    expect(last).toMatchObject({ seq: after.seq, event: 'comment:created', audience: null });
    expect(threadEvents.at(-1)).toMatchObject({ seq: after.seq, event: 'comment:created', audience: null });
    expect(statusEvents.at(-1)).toEqual({
      siteId: thread.site_id,
      threadId: thread.id,
      commentId: posted.body.comment.id,
      parentId: null,
      replyToId: null,
      commenterId: expect.any(String),
      from: 'pending',
      to: 'approved',
      queueVersion: 2,
    });
    expect((await log()).at(-1)).toMatchObject({
      actor_type: 'member',
      actor_id: mod.id,
      actor_name: 'Mary Moderator',
      action: 'comment.approve',
      comment_id: posted.body.comment.id,
      from_status: 'pending',
      to_status: 'approved',
      reason: 'fine',
    });
  });

  it('rejecting a published reply takes it down for everyone, without its body, and fixes both counters', async () => {
    const { thread, mod } = await setup({});
    const parent = await buildComment(db(), thread, { status: 'approved' });
    const reply = await buildComment(db(), thread, { status: 'approved', parentId: parent.id, body: 'something awful' });
    const res = await mod.call('post', `/moderation/comments/${reply.id}/decision`, { action: 'reject' });
    expect(res.status).toBe(200);
    expect((await threadRow(thread.id)).comment_count).toBe(1);
    expect((await commentRow(parent.id)).reply_count).toBe(0);
    // Readers are told only its place; its author keeps seeing it on their page, as rejected.
    const [event, own] = (await events(thread.id)).slice(-2);
    expect(event).toMatchObject({ event: 'comment:removed', audience: null });
    expect(JSON.stringify(event!.payload)).not.toContain('something awful');
    expect(own).toMatchObject({ event: 'comment:updated', audience: reply.commenter_id, payload: { comment: { status: 'rejected' } } });
    expect(statusEvents.at(-1)).toMatchObject({ from: 'approved', to: 'rejected' });

    // Restore puts it back where it was, counters included.
    const restored = await mod.call('post', `/moderation/comments/${reply.id}/decision`, { action: 'restore' });
    expect(restored.body.comment.status).toBe('approved');
    expect((await threadRow(thread.id)).comment_count).toBe(2);
    expect((await commentRow(parent.id)).reply_count).toBe(1);
    expect((await events(thread.id)).at(-1)).toMatchObject({ event: 'comment:created', audience: null });
  });

  it('rejecting a held comment tells only its author, who still sees it, as rejected', async () => {
    const { thread, mod } = await setup();
    const c = await buildComment(db(), thread, { status: 'pending' });
    const before = (await events(thread.id)).length;
    await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'reject' }).expect(200);
    const told = (await events(thread.id)).slice(before);
    expect(told).toEqual([expect.objectContaining({ event: 'comment:updated', audience: c.commenter_id })]);
    expect(told[0]!.payload).toMatchObject({ comment: { id: c.id, status: 'rejected' } });
    expect((await threadRow(thread.id)).comment_count).toBe(0);
  });

  it('marking a held comment as spam tells nobody: to its author it still shows as held', async () => {
    const { thread, mod } = await setup();
    const c = await buildComment(db(), thread, { status: 'pending' });
    const before = (await events(thread.id)).length;
    await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'spam' }).expect(200);
    expect((await events(thread.id)).length).toBe(before);
    // Restored, it comes back as held: still nothing changes on its author's page.
    await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'restore' }).expect(200);
    expect((await events(thread.id)).length).toBe(before);
  });

  it('features and unfeatures a published comment, live', async () => {
    const { thread, mod } = await setup({});
    const c = await buildComment(db(), thread, { status: 'approved' });
    const res = await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'feature' });
    expect(res.body.comment.featured).toBe(true);
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items[0].featured).toBe(true);
    expect((await events(thread.id)).at(-1)).toMatchObject({ event: 'comment:updated', audience: null });
    await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'unfeature' }).expect(200);
    expect((await commentRow(c.id)).featured).toBe(false);
    // Featuring a held comment makes no sense.
    const held = await buildComment(db(), thread, { status: 'pending' });
    expect((await mod.call('post', `/moderation/comments/${held.id}/decision`, { action: 'feature' })).status).toBe(409);
  });

  it('answers 409 for a decision on a comment someone already decided, and for a stale version', async () => {
    const { thread, mod } = await setup();
    const c = await buildComment(db(), thread, { status: 'pending' });
    await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'approve', version: 0 }).expect(200);
    const again = await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_decided', details: [{ status: 'approved', version: 1 }] });
    const stale = await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'reject', version: 0 });
    expect(stale.status).toBe(409);
    expect((await commentRow(c.id)).status).toBe('approved');
    expect((await log()).filter((e) => e.action.startsWith('comment.'))).toHaveLength(1);
  });

  it('answers 409 to a decision taken on a text the author has since edited', async () => {
    const { mod } = await setup();
    const { thread } = await setup({});
    const posted = await postComment(parley, thread.id, { body: 'A fair question.' });
    const seen = await mod.call('get', `/moderation/comments/${posted.body.comment.id}`);
    expect(seen.status).toBe(404); // another site's moderator sees nothing
    const own = await member(parley, [[thread.site_id, 'moderator']], 'site moderator');
    const item = await own.call('get', `/moderation/comments/${posted.body.comment.id}`);
    const version = item.body.comment.version as number;

    const edit = await parley.http().patch(`/api/v1/comments/${posted.body.comment.id}`)
      .set('Authorization', `Bearer ${posted.body.commenterToken}`).send({ body: 'A fair question, now with a rude word.' });
    expect(edit.status).toBe(200);

    const stale = await own.call('post', `/moderation/comments/${posted.body.comment.id}/decision`, { action: 'approve', version });
    expect(stale.status).toBe(409);
    const fresh = await own.call('post', `/moderation/comments/${posted.body.comment.id}/decision`, { action: 'reject', version: version + 1 });
    expect(fresh.status).toBe(200);
    expect((await commentRow(posted.body.comment.id)).status).toBe('rejected');
  });

  it('refuses bad input with 400 and an unknown comment with 404', async () => {
    const { mod } = await setup();
    expect((await mod.call('post', '/moderation/comments/0000000000000000/decision', { action: 'approve' })).status).toBe(404);
    const bad = await mod.call('post', '/moderation/comments/0000000000000000/decision', { action: 'delete-everything' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('action');
  });
});

describe('two moderators at once', () => {
  it('exactly one wins each race: one decision, one log entry, one event, consistent counters', async () => {
    const { site, thread, mod } = await setup();
    const other = await member(parley, [[site.id, 'moderator']], 'other moderator');
    const comments = await Promise.all(Array.from({ length: 6 }, () => buildComment(db(), thread, { status: 'pending' })));
    const seqBefore = (await threadRow(thread.id)).seq;

    const races = await Promise.all(
      comments.map((c, i) =>
        Promise.all([
          mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'approve', version: 0 }),
          // Half the races are approve against reject (with the version both saw), half approve against approve.
          other.call('post', `/moderation/comments/${c.id}/decision`, i % 2 ? { action: 'reject', version: 0 } : { action: 'approve' }),
        ]),
      ),
    );
    for (const [a, b] of races) {
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.code).toBe('already_decided');
    }
    const decisions = (await log()).filter((e) => e.action.startsWith('comment.'));
    expect(decisions).toHaveLength(comments.length);
    expect(new Set(decisions.map((d) => d.comment_id)).size).toBe(comments.length);
    expect(statusEvents).toHaveLength(comments.length);

    const rows = await Promise.all(comments.map((c) => commentRow(c.id)));
    const approved = rows.filter((r) => r.status === 'approved').length;
    expect(rows.every((r) => r.mod_version === 1)).toBe(true);
    const after = await threadRow(thread.id);
    expect(after.comment_count).toBe(approved);
    // One event per decision, each with its own seq, no gaps.
    const evs = (await events(thread.id)).filter((e) => e.seq > seqBefore);
    expect(evs.map((e) => e.seq)).toEqual(Array.from({ length: comments.length }, (_, i) => seqBefore + 1 + i));
    expect(after.seq).toBe(seqBefore + comments.length);
  });
});

describe('bulk decisions', () => {
  it('decides each id on its own and answers one result per id, in order', async () => {
    const { thread, mod } = await setup();
    const other = await buildSite(db());
    const otherThread = await buildThread(db(), other.id);
    const a = await buildComment(db(), thread, { status: 'pending' });
    const b = await buildComment(db(), thread, { status: 'pending' });
    const done = await buildComment(db(), thread, { status: 'rejected' });
    const foreign = await buildComment(db(), otherThread, { status: 'pending' });
    const res = await mod.call('post', '/moderation/decisions', { ids: [a.id, done.id, foreign.id, b.id, '0000000000000000'], action: 'reject', reason: 'off-topic' });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { id: string; ok: boolean; error?: { code: string } }) => [r.id, r.ok, r.error?.code ?? null])).toEqual([
      [a.id, true, null],
      [done.id, false, 'already_decided'],
      [foreign.id, false, 'not_found'],
      [b.id, true, null],
      ['0000000000000000', false, 'not_found'],
    ]);
    expect((await commentRow(foreign.id)).status).toBe('pending');
    expect((await log()).filter((e) => e.reason === 'off-topic')).toHaveLength(2);
    const tooMany = await mod.call('post', '/moderation/decisions', { ids: Array.from({ length: 101 }, (_, i) => String(i).padStart(16, '0')), action: 'approve' });
    expect(tooMany.status).toBe(400);
    const repeated = await mod.call('post', '/moderation/decisions', { ids: [a.id, a.id], action: 'approve' });
    expect(repeated.status).toBe(400);
  });
});

describe('the flagged queue', () => {
  it('approving a flagged comment clears its flags; only newer flags bring it back', async () => {
    const { site, thread, mod } = await setup({ flagThreshold: 2 });
    const c = await buildComment(db(), thread, { status: 'approved', flagCount: 2 });
    const counts = async () => (await mod.call('get', `/moderation/queues?site=${site.id}`)).body.counts;
    expect((await counts()).flagged).toBe(1);

    const res = await mod.call('post', `/moderation/comments/${c.id}/decision`, { action: 'approve' });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ status: 'approved', openFlags: 0, flagCount: 2 });
    expect((await counts()).flagged).toBe(0);
    // Nothing public changed: no thread event, no status change; the decision is still logged.
    expect(await events(thread.id)).toHaveLength(0);
    expect(statusEvents).toHaveLength(0);
    expect((await log()).at(-1)).toMatchObject({ action: 'comment.approve', from_status: 'approved', to_status: 'approved' });

    await db().updateTable('comments').set({ flag_count: 3 }).where('id', '=', c.id).execute();
    expect((await counts()).flagged).toBe(0);
    await db().updateTable('comments').set({ flag_count: 4 }).where('id', '=', c.id).execute();
    expect((await counts()).flagged).toBe(1);
  });
});

describe('a comment taken down while approved replies hang from it', () => {
  interface Item {
    id: string;
    status: string;
    bodyHtml: string;
    author: { name: string | null };
    mine?: true;
    replyCount: number;
    replies: { items: Item[]; total: number };
  }
  const page = async (threadId: string, token?: string) => {
    let req = parley.http().get(`/api/v1/threads/${threadId}/comments`);
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    const res = await req;
    expect(res.status).toBe(200);
    return res.body as { items: Item[] };
  };
  const headingCount = async (threadId: string) => (await parley.http().get(`/api/v1/threads/${threadId}`)).body.thread.commentCount as number;
  /** What a reader finds on the page: every approved comment listed, replies included. */
  const approvedShown = (items: Item[]): number =>
    items.reduce((n, c) => n + Number(c.status === 'approved') + approvedShown(c.replies?.items ?? []), 0);
  const decide = async (mod: Awaited<ReturnType<typeof setup>>['mod'], id: string, action: string) =>
    expect((await mod.call('post', `/moderation/comments/${id}/decision`, { action })).status).toBe(200);

  async function scene() {
    const { thread, mod } = await setup({});
    const posted = await postComment(parley, thread.id, { body: 'Quatremer says: corporate death penalty.', name: 'Marguerite Quatremer' });
    expect(posted.body.comment.status).toBe('approved');
    const parent = posted.body.comment as { id: string };
    const token = posted.body.commenterToken as string;
    const r1 = await buildComment(db(), thread, { status: 'approved', parentId: parent.id, body: 'Insolvency springs to mind.' });
    const r2 = await buildComment(db(), thread, { status: 'approved', parentId: parent.id, body: 'A stroke of the pen.' });
    const other = await buildComment(db(), thread, { status: 'approved', body: 'Clearview will never pay.' });
    const reader = await connected(parley.url);
    sockets.push(reader);
    const heard = record(reader, THREAD_EVENTS);
    const joined = await emitAck<{ seq: number }>(reader, 'thread:join', { threadId: thread.id });
    return {
      thread, mod, parent, token, r1, r2, other,
      get live() { return eventsAfter(heard, joined.seq); },
    };
  }

  it('stays listed as a placeholder to everyone but its author; its replies and the count stay true', async () => {
    const s = await scene();
    // Read once, so the page cache holds the page from before the decision.
    expect(approvedShown((await page(s.thread.id)).items)).toBe(4);
    const seqBefore = (await threadRow(s.thread.id)).seq;

    await decide(s.mod, s.parent.id, 'reject');
    expect((await threadRow(s.thread.id)).seq).toBeGreaterThan(seqBefore);

    const anonymous = await page(s.thread.id);
    const placeholder = anonymous.items.find((c) => c.id === s.parent.id)!;
    expect(placeholder).toMatchObject({ status: 'rejected', bodyHtml: '', author: { name: null, website: null, badge: null }, replyCount: 2 });
    expect(placeholder.replies.items.map((r) => r.id)).toEqual([s.r1.id, s.r2.id]);
    expect(JSON.stringify(anonymous)).not.toMatch(/Quatremer|death penalty/);
    expect(anonymous.items.map((c) => c.id)).toEqual([s.parent.id, s.other.id]);
    expect(await headingCount(s.thread.id)).toBe(3);
    expect(approvedShown(anonymous.items)).toBe(3);

    // One at a time, and through the permalink of a reply (its ancestors) too.
    const one = await parley.http().get(`/api/v1/comments/${s.parent.id}`);
    expect(one.status).toBe(200);
    expect(one.body.comment).toMatchObject({ status: 'rejected', bodyHtml: '', author: { name: null } });
    const replies = await parley.http().get(`/api/v1/comments/${s.parent.id}/replies`);
    expect(replies.body.items.map((r: { id: string }) => r.id)).toEqual([s.r1.id, s.r2.id]);
    expect((await parley.http().get(`/api/v1/comments/${s.r1.id}`)).body.parentIds).toEqual([s.parent.id]);

    // Its author still sees their own words.
    const own = (await page(s.thread.id, s.token)).items.find((c) => c.id === s.parent.id)!;
    expect(own).toMatchObject({ status: 'rejected', mine: true, author: { name: 'Marguerite Quatremer' } });
    expect(own.bodyHtml).toContain('corporate death penalty');
    expect(own.replies.items).toHaveLength(2);

    // Live readers are told it changed in place, not that it went; its author alone gets the words.
    await waitFor(() => s.live.some((e) => e.payload.comment?.id === s.parent.id), 5000, 'the placeholder event');
    const told = s.live.filter((e) => e.payload.comment?.id === s.parent.id);
    expect(told.map((e) => e.event)).toEqual(['comment:updated']);
    expect(told[0]!.payload.comment).toMatchObject({ status: 'rejected', bodyHtml: '', author: { name: null }, replyCount: 2 });
    const logged = (await events(s.thread.id)).filter((e) => e.seq > seqBefore);
    expect(logged.map((e) => [e.event, e.audience])).toEqual([
      ['comment:updated', null],
      ['comment:updated', await commentRow(s.parent.id).then((c) => c.commenter_id)],
    ]);
    expect(await dishonestCounters(db())).toEqual([]);

    // Its last listed reply goes: so does the placeholder, from the list and from the count.
    await decide(s.mod, s.r1.id, 'reject');
    expect((await page(s.thread.id)).items.find((c) => c.id === s.parent.id)).toMatchObject({ replyCount: 1 });
    await decide(s.mod, s.r2.id, 'spam');
    const after = await page(s.thread.id);
    expect(after.items.map((c) => c.id)).toEqual([s.other.id]);
    expect(await headingCount(s.thread.id)).toBe(1);
    expect((await parley.http().get(`/api/v1/comments/${s.parent.id}`)).status).toBe(404);
    await waitFor(() => s.live.filter((e) => e.event === 'comment:removed').length === 2, 5000, 'the removals');
    expect(s.live.filter((e) => e.event === 'comment:removed').map((e) => e.payload.comment.id)).toEqual([s.r1.id, s.r2.id]);
    expect(await dishonestCounters(db())).toEqual([]);
  });

  it('shows a spam one as "rejected" to others, "pending" to its author, and restores it in place', async () => {
    const s = await scene();
    await decide(s.mod, s.parent.id, 'spam');
    const placeholder = (await page(s.thread.id)).items.find((c) => c.id === s.parent.id)!;
    expect(placeholder).toMatchObject({ status: 'rejected', bodyHtml: '', author: { name: null } });
    expect((await parley.http().get(`/api/v1/comments/${s.parent.id}`)).body.comment.status).toBe('rejected');
    const own = (await page(s.thread.id, s.token)).items.find((c) => c.id === s.parent.id)!;
    expect(own).toMatchObject({ status: 'pending', mine: true });
    await waitFor(() => s.live.some((e) => e.payload.comment?.id === s.parent.id), 5000, 'the placeholder event');
    expect(s.live.find((e) => e.payload.comment?.id === s.parent.id)).toMatchObject({ event: 'comment:updated', payload: { comment: { status: 'rejected' } } });
    expect(JSON.stringify(s.live)).not.toMatch(/spam|Quatremer/);
    expect(await dishonestCounters(db())).toEqual([]);

    await decide(s.mod, s.parent.id, 'restore');
    expect((await page(s.thread.id)).items.find((c) => c.id === s.parent.id)).toMatchObject({ status: 'approved', author: { name: 'Marguerite Quatremer' } });
    expect(await headingCount(s.thread.id)).toBe(4);
    expect((await events(s.thread.id)).at(-1)).toMatchObject({ event: 'comment:updated', audience: null });
    expect(await dishonestCounters(db())).toEqual([]);
  });

  it('holds its place under its own parent, and lets it go with its last reply', async () => {
    const { thread, mod } = await setup({});
    const top = await buildComment(db(), thread, { status: 'approved' });
    const middle = await buildComment(db(), thread, { status: 'approved', parentId: top.id, body: 'something awful' });
    const leaf = await buildComment(db(), thread, { status: 'approved', parentId: middle.id });

    await decide(mod, middle.id, 'reject');
    expect((await commentRow(top.id)).reply_count).toBe(1);
    const [shown] = (await page(thread.id)).items;
    expect(shown!.replies.items).toEqual([expect.objectContaining({ id: middle.id, status: 'rejected', bodyHtml: '', replyCount: 1 })]);
    const under = await parley.http().get(`/api/v1/comments/${middle.id}/replies`);
    expect(under.body.items.map((r: { id: string }) => r.id)).toEqual([leaf.id]);
    expect(await dishonestCounters(db())).toEqual([]);

    await decide(mod, leaf.id, 'reject');
    expect((await commentRow(top.id)).reply_count).toBe(0);
    expect((await page(thread.id)).items[0]!.replies.items).toEqual([]);
    expect(await headingCount(thread.id)).toBe(1);
    expect(await dishonestCounters(db())).toEqual([]);
  });
});
