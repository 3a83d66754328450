import pino from 'pino';
import request from 'supertest';
import type { AddressInfo } from 'node:net';
import { createParley, type ParleyApp } from '../../server/app';
import { configFrom } from '../../server/config';
import { openTestDatabase } from '../helpers/db';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';

/**
 * Thread pages come from each instance's memory while the thread has not changed. These tests read
 * through real HTTP and write through the API — on this instance and on a second one sharing the
 * database — and check that no reader ever gets a page older than a write already acknowledged, nor
 * anything that belongs to another reader.
 */
let parley: TestParley;
let second: { app: ParleyApp; url: string; close(): Promise<void> };

beforeAll(async () => {
  parley = await startTestParley({ PARLEY_RATE_LIMITS: 'off' });
  // A second instance: its own process state (page cache, event bus), the same database.
  const database = process.env.DATABASE_URL ? await openTestDatabase({ keepData: true }) : parley.database;
  const config = configFrom({ PORT: '0', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://parley.test', PARLEY_RATE_LIMITS: 'off' });
  const app = await createParley({ config, database, log: pino({ level: 'silent' }) });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  second = {
    app,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    async close() {
      await app.close(1000);
      if (database !== parley.database) await database.close();
    },
  };
});
afterAll(async () => {
  await second.close();
  await parley.close();
});
beforeEach(async () => {
  await parley.reset();
  second.app.deps.pages?.clear();
});

const db = () => parley.database.db;
const page = (threadId: string, opts: { token?: string; etag?: string; url?: string } = {}) => {
  let req = request(opts.url ?? parley.url).get(`/api/v1/threads/${threadId}/comments`);
  if (opts.token) req = req.set('Authorization', `Bearer ${opts.token}`);
  if (opts.etag) req = req.set('If-None-Match', opts.etag);
  return req;
};
const bodies = (res: request.Response) => res.body.items.map((c: { bodyHtml: string }) => c.bodyHtml);

async function openThread(settings: Record<string, unknown> = {}) {
  const site = await buildSite(db(), { settings });
  return buildThread(db(), site.id);
}

describe('thread page cache', () => {
  it('answers 304 while the thread is unchanged, and a new page and ETag once someone posts', async () => {
    const thread = await openThread();
    await postComment(parley, thread.id, { body: 'First, on the stand-off.' });
    const first = await page(thread.id);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^".+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(bodies(first)).toEqual(['<p>First, on the stand-off.</p>']);

    const again = await page(thread.id, { etag: first.headers.etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const hitsBefore = parley.app.deps.pages!.stats.hits;
    const plain = await page(thread.id);
    expect(plain.body).toEqual(first.body);
    expect(parley.app.deps.pages!.stats.hits).toBeGreaterThan(hitsBefore);

    const posted = await postComment(parley, thread.id, { body: 'Second, with a sceptre.' });
    expect(posted.status).toBe(201);
    // The author sees their comment at once, and so does everyone else: the old ETag no longer matches.
    const author = await page(thread.id, { token: posted.body.commenterToken });
    expect(bodies(author)).toContain('<p>Second, with a sceptre.</p>');
    const reader = await page(thread.id, { etag: first.headers.etag });
    expect(reader.status).toBe(200);
    expect(reader.headers.etag).not.toBe(first.headers.etag);
    expect(bodies(reader)).toEqual(['<p>First, on the stand-off.</p>', '<p>Second, with a sceptre.</p>']);
    expect(reader.body.seq).toBe(posted.body.comment.seq);
  });

  it('a comment posted through another instance is on this instance’s next page', async () => {
    const thread = await openThread();
    await postComment(parley, thread.id, { body: 'Seen here first.' });
    const warm = await page(thread.id);
    expect((await page(thread.id, { etag: warm.headers.etag })).status).toBe(304);

    const elsewhere = await request(second.url)
      .post(`/api/v1/threads/${thread.id}/comments`)
      .set('Content-Type', 'application/json')
      .send({ body: 'Written on the other instance.' });
    expect(elsewhere.status).toBe(201);

    const here = await page(thread.id, { etag: warm.headers.etag });
    expect(here.status).toBe(200);
    expect(bodies(here)).toEqual(['<p>Seen here first.</p>', '<p>Written on the other instance.</p>']);
    // And the other way round: the second instance's cache follows writes made here.
    const there = await page(thread.id, { url: second.url });
    await postComment(parley, thread.id, { body: 'Back on the first.' });
    const thereAgain = await page(thread.id, { url: second.url, etag: there.headers.etag });
    expect(thereAgain.status).toBe(200);
    expect(bodies(thereAgain)).toContain('<p>Back on the first.</p>');
  });

  it('a like changes the cached page: its count and ETag', async () => {
    const thread = await openThread();
    const posted = await postComment(parley, thread.id, { body: 'Like me.' });
    const before = await page(thread.id);
    expect(before.body.items[0].reactionCount).toBe(0);
    const liked = await request(second.url).put(`/api/v1/comments/${posted.body.comment.id}/reaction`).set('Content-Type', 'application/json').send({});
    expect(liked.status).toBe(200);
    const after = await page(thread.id, { etag: before.headers.etag });
    expect(after.status).toBe(200);
    expect(after.body.items[0].reactionCount).toBe(1);
  });

  it('never shows one reader’s pending comment or edit window to another', async () => {
    const thread = await openThread({ moderation: 'pre' });
    // Warm the public page first, so everything after could come from the cache.
    expect(bodies(await page(thread.id))).toEqual([]);
    const held = await postComment(parley, thread.id, { body: 'Held for review.' });
    expect(held.body.comment.status).toBe('pending');
    const alice = held.body.commenterToken as string;

    const own = await page(thread.id, { token: alice });
    expect(own.body.items).toHaveLength(1);
    expect(own.body.items[0]).toMatchObject({ status: 'pending', mine: true, editableUntil: expect.any(String) });
    expect(own.headers.etag).toBeUndefined();

    // Another identified reader (no pending comments of their own) and an anonymous one see none of it.
    const other = await postComment(parley, (await openThread()).id, { body: 'Elsewhere.' });
    const bob = other.body.commenterToken as string;
    expect((await page(thread.id, { token: bob })).body.items).toEqual([]);
    const anonymous = await page(thread.id);
    expect(anonymous.body.items).toEqual([]);
    expect(anonymous.text).not.toContain('Held for review');
  });

  it('decorates shared rows per reader: the author’s edit window never reaches anyone else', async () => {
    const thread = await openThread();
    const posted = await postComment(parley, thread.id, { body: 'Mine to edit.' });
    const token = posted.body.commenterToken as string;
    const mine = await page(thread.id, { token });
    expect(mine.body.items[0]).toMatchObject({ mine: true, editableUntil: expect.any(String) });

    const anonymous = await page(thread.id);
    expect(anonymous.body.items[0].mine).toBeUndefined();
    expect(anonymous.body.items[0].editableUntil).toBeUndefined();
    const stranger = await postComment(parley, thread.id, { body: 'Someone else.' });
    const theirs = await page(thread.id, { token: stranger.body.commenterToken });
    const first = theirs.body.items.find((c: { id: string }) => c.id === posted.body.comment.id);
    expect(first.mine).toBeUndefined();
    expect(first.editableUntil).toBeUndefined();
    // The author's view, served from the same rows after the stranger's post, is still theirs.
    const mineAgain = await page(thread.id, { token });
    expect(mineAgain.body.items.find((c: { id: string }) => c.id === posted.body.comment.id)).toMatchObject({ mine: true });
  });
});
