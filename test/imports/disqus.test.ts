import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importComments } from '../../server/imports/import.service';
import { newId } from '../../server/ids';
import sample from '../../server/seed/naked-security.json';
import { buildSite } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { dishonestCounters } from '../privacy/helpers';
import { DISQUS, importedComments, snapshot, WXR } from './helpers';

const FORUM = 'https://www.techspot.com/news/90512-french-privacy-authority-demands-clearview-ai-flush-facial.html';
const ARTICLE = sample.thread.url;

// [dsq:id, parent, thread, author, email, minutes after the thread's base time, status] — as in the fixture.
const POSTS: Array<[string, string | null, string, string | null, string | null, number, string]> = [
  ['8000001', null, FORUM, 'Dimitrios', 'dimitrios@example.gr', 40, 'approved'],
  ['8000002', null, FORUM, 'Renée & Co', 'renee@example.fr', 55, 'approved'],
  ['8000003', null, FORUM, 'Badger', 'badger@example.com', 70, 'approved'],
  ['8000004', null, FORUM, 'Guest Reader', null, 82, 'approved'],
  ['8000005', '8000001', FORUM, 'Lew Zealand', 'lew@example.nz', 95, 'approved'],
  ['8000008', '8000006', FORUM, 'Lew Zealand', 'lew@example.nz', 160, 'approved'],
  ['8000006', '8000005', FORUM, 'Squid Surprise', 'squid@example.com', 120, 'approved'],
  ['8000007', null, FORUM, 'Vanderlinde', 'vdl@example.com', 140, 'approved'],
  ['8000009', null, FORUM, 'Strawman', 'strawman@example.com', 180, 'approved'],
  ['8000010', null, FORUM, 'Kibaruk', 'kibaruk@example.com', 190, 'approved'],
  ['8000011', '8000009', FORUM, 'Kibaruk', 'kibaruk@example.com', 200, 'approved'],
  ['8000012', '8000011', FORUM, 'Wizard of Oz', 'oz@example.au', 230, 'approved'],
  ['8000013', null, FORUM, 'Regretful', 'regret@example.com', 240, 'deleted'],
  ['8000014', '8000013', FORUM, 'Badger', 'badger@example.com', 245, 'approved'],
  ['8000015', null, FORUM, 'Crypto Deals', 'deals@spam.example', 250, 'spam'],
  ['8000016', null, FORUM, 'Mallory', 'mallory@example.com', 255, 'approved'],
  ['8000017', null, FORUM, 'Orphan Annie', 'annie@example.com', 260, 'approved'],
  ['8000101', null, ARTICLE, 'Richard', 'richard.h@example.org', 2000, 'approved'],
  ['8000102', '8000101', ARTICLE, 'Anonymous', null, 2030, 'approved'],
];
const forumBase = Date.parse('2021-07-16T10:00:00Z');
const articleBase = Date.parse(sample.thread.publishedAt);

describe('importing a Disqus export', () => {
  let parley: TestParley;
  beforeAll(async () => {
    parley = await startTestParley();
  });
  afterAll(async () => {
    await parley?.close();
  });
  beforeEach(async () => {
    await parley.reset();
  });
  const deps = () => parley.app.deps;

  it('brings every post in under its thread and parent, with its author, status and date', async () => {
    const site = await buildSite(deps().db, { id: 'techspot' });
    const report = await importComments(deps(), { siteId: site.id, format: 'disqus', file: DISQUS });
    const got = await importedComments(deps().db, site.id, 'disqus');
    expect([...got.keys()].sort()).toEqual(POSTS.map((p) => p[0]).sort());
    for (const [id, parent, thread, author, email, minutes, status] of POSTS) {
      const c = got.get(id)!;
      expect({ id, thread: c.threadKey, parent: c.parentExt, author: c.row.author_name, email: c.email, status: c.row.status, date: c.row.created_at.toISOString() }).toEqual({
        id,
        thread,
        parent,
        author,
        email,
        status,
        date: new Date((thread === FORUM ? forumBase : articleBase) + minutes * 60_000).toISOString(),
      });
    }
    expect(report.threads).toEqual({ created: 2, matched: 0, withoutComments: 1 });
    expect(report.comments.imported).toMatchObject({ approved: 17, spam: 1, deleted: 1 });
    expect(report.skipped).toEqual([{ reason: 'its thread is not in the file', count: 1, examples: [{ line: expect.any(Number), id: '8000018' }] }]);
    expect(report.notes).toEqual([expect.objectContaining({ count: 1, examples: [{ line: expect.any(Number), id: '8000017' }] })]);

    // The forum's quotes survive as block quotes; a deleted post keeps its reply as a tombstone.
    const forum = await deps().db.selectFrom('threads').selectAll().where('key', '=', FORUM).executeTakeFirstOrThrow();
    expect(forum.title).toBe('French privacy authority demands Clearview AI flush facial recognition data gathered within…');
    expect(forum.comment_count).toBe(15);
    const res = await parley.http().get(`/api/v1/threads/${forum.id}/comments?limit=100`).expect(200);
    const dimitrios = res.body.items.find((c: { author: { name: string } }) => c.author.name === 'Dimitrios');
    expect(dimitrios.bodyHtml).toMatch(/^<p>So many governments listed/);
    expect(dimitrios.replies.items[0].bodyHtml).toMatch(/^<blockquote>\n<p><a href="https:\/\/www\.techspot\.com\/community\/goto\/post\?id=1" rel="nofollow ugc noopener">Dimitrios said:<\/a><\/p>\n<p>So many governments/);
    const tombstone = res.body.items.find((c: { status: string }) => c.status === 'deleted');
    expect(tombstone).toMatchObject({ bodyHtml: '', author: { name: null }, replyCount: 1 });
    expect(tombstone.replies.items[0].bodyHtml).toContain('the reply still makes sense');
    const mallory = res.body.items.find((c: { author: { name: string } }) => c.author.name === 'Mallory');
    expect(mallory.bodyHtml).toBe('<p>Nice article link <a href="https://ok.example/page" rel="nofollow ugc noopener">ok link</a></p>');
    expect(JSON.stringify(res.body)).not.toMatch(/192\.0\.2\.|@example/);
    expect(await dishonestCounters(deps().db)).toEqual([]);
  });

  it('counts a deleted reply that holds an answer in its parent\'s replies', async () => {
    const site = await buildSite(deps().db, { id: 'nested' });
    const post = (id: string, body: string, deleted: boolean, parent?: string) => `
  <post dsq:id="${id}">
    <id />
    <message><![CDATA[<p>${body}</p>]]></message>
    <createdAt>2021-07-16T1${id.slice(-1)}:00:00Z</createdAt>
    <isDeleted>${deleted}</isDeleted>
    <isSpam>false</isSpam>
    <author><name>Reader ${id}</name><isAnonymous>false</isAnonymous></author>
    <thread dsq:id="1" />${parent ? `\n    <parent dsq:id="${parent}" />` : ''}
  </post>`;
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1">
    <id>stand-off</id>
    <link>https://nakedsecurity.example/stand-off</link>
    <title>How would you resolve this stand-off?</title>
    <createdAt>2021-07-16T09:00:00Z</createdAt>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>${post('11', 'With a wave of the wand.', false)}${post('12', 'Something I regret.', true, '11')}${post('13', 'The reply still makes sense.', false, '12')}
</disqus>`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-disqus-'));
    const file = path.join(dir, 'nested.xml');
    fs.writeFileSync(file, xml);
    try {
      await importComments(deps(), { siteId: site.id, format: 'disqus', file });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const thread = await deps().db.selectFrom('threads').select('id').where('site_id', '=', site.id).executeTakeFirstOrThrow();
    const res = await parley.http().get(`/api/v1/threads/${thread.id}/comments`).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ bodyHtml: '<p>With a wave of the wand.</p>', replyCount: 1 });
    expect(res.body.items[0].replies.items[0]).toMatchObject({ status: 'deleted', replyCount: 1 });
    expect(await dishonestCounters(deps().db)).toEqual([]);
  });

  it('joins threads the site already has, by identifier or by address, and shares commenters with other imports', async () => {
    const site = await buildSite(deps().db, { id: 'newsroom' });
    // The publisher embeds Parley with its own key for the forum article.
    const existing = await deps()
      .db.insertInto('threads')
      .values({ id: newId(), site_id: site.id, key: 'techspot-90512', url: null, title: 'Forum', mode: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    const report = await importComments(deps(), { siteId: site.id, format: 'disqus', file: DISQUS });
    expect(report.threads).toEqual({ created: 0, matched: 2, withoutComments: 1 });
    const got = await importedComments(deps().db, site.id, 'disqus');
    expect(got.get('8000001')!.row.thread_id).toBe(existing.id);
    const article = await deps().db.selectFrom('threads').selectAll().where('key', '=', ARTICLE).executeTakeFirstOrThrow();
    expect(got.get('8000101')!.row.thread_id).toBe(article.id);
    expect(article.comment_count).toBe(31);
    // Richard commented through WordPress and through Disqus with one address: one commenter.
    const richard = await deps().db.selectFrom('comments').select('commenter_id').distinct().where('author_name', '=', 'Richard').execute();
    expect(richard).toHaveLength(1);
    expect(report.commenters.created).toBe(13); // 14 addresses in the file, Richard's already known
  });

  it('changes nothing when the same file is imported again', async () => {
    const site = await buildSite(deps().db, { id: 'techspot' });
    await importComments(deps(), { siteId: site.id, format: 'disqus', file: DISQUS });
    const before = await snapshot(deps().db);
    const again = await importComments(deps(), { siteId: site.id, format: 'disqus', file: DISQUS });
    expect(again.comments).toMatchObject({ total: 0, alreadyImported: 19 });
    expect(await snapshot(deps().db)).toEqual(before);
  });
});
