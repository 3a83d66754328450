import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ThreadChange as ThreadEvent } from '../../server/threads/thread.events';
import { importComments } from '../../server/imports/import.service';
import { eraseCommenter } from '../../server/privacy/erase.service';
import { exportCommenter } from '../../server/privacy/export.service';
import sample from '../../server/seed/naked-security.json';
import { buildSite } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { importedComments, snapshot, WXR } from './helpers';

const ARTICLE = sample.thread.url;
const EARLIER = 'https://nakedsecurity.sophos.com/2022/10/20/clearview-ai-face-matching-service-fined-e20m-in-france/';
// The fixture's commenters' addresses (see test/fixtures/naked-security.wxr.xml).
const EMAILS: Record<string, string> = {
  Richard: 'richard.h@example.org', Bob: 'bob@example.net', Kevin: 'kevin.t@example.com', SM: 'sm@example.org',
  'Naked Security': 'duck@nakedsecurity.example', Wilbur: 'wilbur@example.com', 'Joe Bloggs': 'joe.bloggs@example.co.uk',
  Mahhn: 'mahhn@example.com', Laurence: 'laurence@example.fr', 'John Anderson': 'j.anderson@example.com', Steve: 'steve@example.com',
  Jim: 'jim@example.org', Thomas: 'thomas@example.de', Bernd: 'Bernd@Example.DE', Alastair: 'alastair@example.co.uk', Marc: 'marc@example.be',
};

interface Expected {
  thread: string;
  parent: string | null;
  author: string | null;
  email: string | null;
  status: string;
  date: string;
  badge?: string | null;
}

/** What the fixture says, comment by comment, written out independently of the importer. */
function expectedComments(): Record<string, Expected> {
  const out: Record<string, Expected> = {};
  const idOf = new Map(sample.comments.map((c, i) => [c.ref, String(5001 + i)]));
  const published = Date.parse(sample.thread.publishedAt);
  for (const c of sample.comments) {
    const author = c.author as { name?: string; badge?: string };
    out[idOf.get(c.ref)!] = {
      thread: ARTICLE,
      parent: c.parent ? idOf.get(c.parent)! : null,
      author: author.name ?? null,
      email: author.name ? (EMAILS[author.name] ?? null) : null,
      status: 'approved',
      date: new Date(published + c.minutes * 60_000).toISOString(),
      badge: author.badge ? 'journalist' : null,
    };
  }
  const at = (minutes: number) => new Date(published + minutes * 60_000).toISOString();
  out['6001'] = { thread: ARTICLE, parent: null, author: 'CheapWatches', email: 'sales@spam.example', status: 'spam', date: at(1500) };
  out['6002'] = { thread: ARTICLE, parent: null, author: 'Tom & Jerry O\'Brien', email: 'tom.obrien@example.ie', status: 'pending', date: at(1510) };
  out['6003'] = { thread: ARTICLE, parent: null, author: 'Richard', email: 'richard.h@example.org', status: 'deleted', date: at(1520) };
  out['6005'] = { thread: ARTICLE, parent: null, author: 'Orphaned Reader', email: 'orphan@example.com', status: 'approved', date: at(1540) };
  out['6006'] = { thread: ARTICLE, parent: null, author: 'Q', email: 'q@example.com', status: 'approved', date: at(1550) };
  // No GMT date: the local time (one hour ahead in the fixture) is read as UTC.
  out['6007'] = { thread: ARTICLE, parent: null, author: 'Late Night Reader', email: null, status: 'approved', date: at(1620) };
  out['6008'] = { thread: ARTICLE, parent: null, author: 'Verbose Vera', email: 'vera@example.com', status: 'approved', date: at(1570) };
  out['6009'] = { thread: ARTICLE, parent: idOf.get('notpay')!, author: 'Naked Security', email: 'duck@nakedsecurity.example', status: 'approved', date: at(1580), badge: 'journalist' };
  const earlier = Date.parse('2022-10-20T12:00:00Z');
  const chain: Array<[string, string | null, string | null, string | null]> = [
    ['wonder', null, 'Ivan', 'ivan@example.com'],
    ['royalty', 'wonder', 'Anonymous Coward', null],
    ['dna', 'royalty', 'Ivan', 'ivan@example.com'],
    ['candies', 'dna', 'Petra', 'petra@example.cz'],
    ['streetview', 'candies', 'Ivan', 'ivan@example.com'],
    ['democracy', 'streetview', 'Oskar', 'oskar@example.se'],
    ['institution', 'democracy', 'Petra', 'petra@example.cz'],
    ['saas', 'institution', 'Naked Security', 'duck@nakedsecurity.example'],
    ['casual', null, 'Kate', 'kate@example.com'],
    ['scraping', 'casual', 'Naked Security', 'duck@nakedsecurity.example'],
    ['cambridge', null, null, null],
  ];
  const ext = new Map(chain.map(([ref], i) => [ref, String(7001 + i)]));
  chain.forEach(([ref, parent, author, email], i) => {
    out[ext.get(ref)!] = {
      thread: EARLIER,
      parent: parent ? ext.get(parent)! : null,
      author,
      email,
      status: 'approved',
      date: new Date(earlier + 30 * i * 60_000).toISOString(),
      badge: author === 'Naked Security' ? 'journalist' : null,
    };
  });
  return out;
}

describe('importing a WordPress export (WXR)', () => {
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

  it('brings every comment in under its thread and parent, with its author, status and date', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    const report = await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });

    const expected = expectedComments();
    const got = await importedComments(deps().db, site.id, 'wxr');
    expect([...got.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [id, want] of Object.entries(expected)) {
      const c = got.get(id)!;
      // The comment it answers: its parent, or, below the depth cap, the one recorded in reply_to_id.
      expect({ id, thread: c.threadKey, parent: c.replyToExt ?? c.parentExt, author: c.row.author_name, email: c.email, status: c.row.status, date: c.row.created_at.toISOString() }).toEqual({
        id,
        thread: want.thread,
        parent: want.parent,
        author: want.author,
        email: want.email,
        status: want.status,
        date: want.date,
      });
      if (want.badge !== undefined) expect(c.row.badge).toBe(want.badge);
      expect(c.row.ip_hash).toBeNull();
    }

    expect(report.threads).toEqual({ created: 2, matched: 0, withoutComments: 0 });
    expect(report.comments.imported).toMatchObject({ approved: 40, pending: 1, spam: 1, deleted: 1 });
    expect(report.skipped).toEqual([
      { reason: 'pingbacks and trackbacks are not reader comments', count: 1, examples: [{ line: expect.any(Number), id: '6004' }] },
    ]);
    expect(report.notes.map((n) => n.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining('parent is not in the file'), expect.stringContaining('no GMT date')]),
    );
    // One commenter per distinct address (case-insensitive), none without one; no tokens; no address stored raw.
    const richard = [...got.values()].filter((c) => c.row.author_name === 'Richard').map((c) => c.row.commenter_id);
    expect(new Set(richard).size).toBe(1);
    expect([...got.values()].filter((c) => !c.email).every((c) => c.row.commenter_id === null)).toBe(true);
    const commenters = await deps().db.selectFrom('commenters').selectAll().execute();
    expect(commenters.every((c) => c.token_hash === null)).toBe(true);
    expect(JSON.stringify(await snapshot(deps().db))).not.toMatch(/203\.0\.113\.|198\.51\.100\./);
  });

  it('shows imported threads to readers with safe markup, correct counts, and tells live readers to reload', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    const events: ThreadEvent[] = [];
    const bulk: unknown[] = [];
    const off = deps().bus.on('thread.event', (e) => events.push(e));
    const offBulk = deps().bus.on('site.imported', (e) => bulk.push(e));
    await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    off();
    offBulk();
    // Moderators' queues hear about the import once, not once per comment.
    expect(bulk).toEqual([{ siteId: site.id, threads: 2, comments: 43 }]);

    const thread = await deps().db.selectFrom('threads').selectAll().where('key', '=', ARTICLE).executeTakeFirstOrThrow();
    expect(thread.title).toBe(sample.thread.title);
    expect(thread.state).toBe('open');
    expect(thread.comment_count).toBe(29); // the 24 seed comments and 5 more approved ones
    expect(events.filter((e) => e.threadId === thread.id)).toEqual([
      expect.objectContaining({ event: 'thread:updated', seq: thread.seq, audience: null }),
    ]);
    const earlier = await deps().db.selectFrom('threads').selectAll().where('key', '=', EARLIER).executeTakeFirstOrThrow();
    expect(earlier.state).toBe('closed');
    expect(earlier.title).toBe('Clearview AI face-matching service fined €20m in France');

    const res = await parley.http().get(`/api/v1/threads/${thread.id}/comments?limit=100`).expect(200);
    const heads = res.body.items.find((c: { bodyHtml: string }) => c.bodyHtml.includes('Off with their heads'));
    expect(heads.replyCount).toBe(1);
    expect(heads.replies.items[0].author).toEqual({ name: 'Naked Security', website: 'https://nakedsecurity.sophos.com/', badge: 'journalist' });
    const all = JSON.stringify(res.body);
    expect(all).not.toMatch(/<script|onerror|onclick|onmouseover|javascript:|<iframe/i);
    expect(all).not.toMatch(/@example/);
    const q = res.body.items.find((c: { author: { name: string } }) => c.author.name === 'Q');
    expect(q.bodyHtml).toBe(
      '<p>A CDATA end marker inside the text: ]]&gt; and *literal asterisks* and 1. not a list, `backticks`, <em>real emphasis</em>.<br />\nSecond line.</p>',
    );

    const pending = await deps().db.selectFrom('comments').selectAll().where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(pending.body_html).not.toMatch(/<script|<img|<iframe|onerror|onclick|onmouseover|javascript:/i);
    expect(pending.body_html).toContain('<strong>bold words</strong>');
    expect(pending.body_html).toContain('Fish &amp; chips &lt;3 — été');
    expect(pending.author_website).toBeNull(); // javascript: is not a website
    const vera = await deps().db.selectFrom('comments').selectAll().where('author_name', '=', 'Verbose Vera').executeTakeFirstOrThrow();
    expect(vera.body_src.length).toBeGreaterThan(60_000);
  });

  it('changes nothing when the same file is imported again', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    const before = await snapshot(deps().db);
    const events: ThreadEvent[] = [];
    const off = deps().bus.on('thread.event', (e) => events.push(e));
    const offBulk = deps().bus.on('site.imported', (e) => events.push(e as never));
    const again = await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    off();
    offBulk();
    expect(again.comments.total).toBe(0);
    expect(again.comments.alreadyImported).toBe(43);
    expect(again.threads).toEqual({ created: 0, matched: 2, withoutComments: 0 });
    expect(again.commenters.created).toBe(0);
    expect(await snapshot(deps().db)).toEqual(before);
    expect(events).toEqual([]);
  });

  it('files replies below the site’s depth cap beside their parent, remembering whom they answer', async () => {
    const site = await buildSite(deps().db, { id: 'shallow', settings: { maxDepth: 2 } });
    await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    const got = await importedComments(deps().db, site.id, 'wxr');
    const depth = (id: string) => got.get(id)!.row.depth;
    // wonder(7001) → royalty → dna → candies → streetview → democracy → institution → saas(7008)
    expect(['7001', '7002', '7003', '7004', '7005', '7006', '7007', '7008'].map(depth)).toEqual([0, 1, 2, 2, 2, 2, 2, 2]);
    expect(got.get('7004')).toMatchObject({ parentExt: '7002', replyToExt: '7003' });
    expect(got.get('7008')).toMatchObject({ parentExt: '7002', replyToExt: '7007' });
    expect(got.get('7003')!.row.root_id).toBe(got.get('7001')!.row.id);
    expect(got.get('7008')!.row.root_id).toBe(got.get('7001')!.row.id);
    const royalty = await deps().db.selectFrom('comments').select('reply_count').where('id', '=', got.get('7002')!.row.id).executeTakeFirstOrThrow();
    expect(royalty.reply_count).toBe(6);
  });

  it('checks a file without writing anything on a dry run', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    const before = await snapshot(deps().db);
    const report = await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.comments.total).toBe(43);
    expect(await snapshot(deps().db)).toEqual(before);
  });

  it('skips a comment too long to be a comment, and says where it is', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-wxr-'));
    const file = path.join(dir, 'huge.xml');
    const fixture = fs.readFileSync(WXR, 'utf8');
    const huge = `<![CDATA[${'All work and no play. '.repeat(40_000)}]]>`;
    fs.writeFileSync(file, fixture.replace(/(<wp:comment_id>6008<\/wp:comment_id>[\s\S]*?<wp:comment_content>)[\s\S]*?(<\/wp:comment_content>)/, `$1${huge}$2`));
    try {
      const report = await importComments(deps(), { siteId: site.id, format: 'wxr', file });
      const tooLong = report.skipped.find((s) => s.reason.startsWith('the comment is too long'))!;
      expect(tooLong.count).toBe(1);
      expect(tooLong.examples[0]).toEqual({ line: expect.any(Number), id: '6008' });
      expect(fixture.split('\n')[tooLong.examples[0].line! - 1]).toContain('<wp:comment>');
      expect(report.comments.total).toBe(42);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps only websites and names a reader could give: userinfo and odd hosts dropped, format characters stripped', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-wxr-'));
    try {
      const file = path.join(dir, 'strict.xml');
      const fixture = fs.readFileSync(WXR, 'utf8');
      const ivan = '<wp:comment_author><![CDATA[Ivan]]></wp:comment_author>\n\t\t\t<wp:comment_author_email><![CDATA[ivan@example.com]]></wp:comment_author_email>\n\t\t\t<wp:comment_author_url><![CDATA[]]>';
      const coward = '<wp:comment_author><![CDATA[Anonymous Coward]]></wp:comment_author>\n\t\t\t<wp:comment_author_email><![CDATA[]]></wp:comment_author_email>\n\t\t\t<wp:comment_author_url><![CDATA[]]>';
      expect(fixture).toContain(ivan);
      expect(fixture).toContain(coward);
      fs.writeFileSync(
        file,
        fixture
          .replace(ivan, ivan.replace('url><![CDATA[]]>', 'url><![CDATA[https://bank.example@evil.example/]]>'))
          .replace(coward, coward.replace('Anonymous Coward', 'Anonymous\u202E Coward\u200B').replace('url><![CDATA[]]>', 'url><![CDATA[https://a.example/<b>]]>')),
      );
      await importComments(deps(), { siteId: site.id, format: 'wxr', file });
      const thread = await deps().db.selectFrom('threads').selectAll().where('key', '=', EARLIER).executeTakeFirstOrThrow();
      const res = await parley.http().get(`/api/v1/threads/${thread.id}/comments?limit=100`).expect(200);
      const authors = res.body.items.flatMap((c: { author: unknown; replies: { items: Array<{ author: unknown }> } }) => [c.author, ...c.replies.items.map((r) => r.author)]);
      expect(authors).toContainEqual({ name: 'Ivan', website: null, badge: null });
      expect(authors).toContainEqual({ name: 'Anonymous Coward', website: 'https://a.example/%3Cb%3E', badge: null });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an imported commenter can see and erase what imports keep, and a re-import does not bring them back', async () => {
    const site = await buildSite(deps().db, { id: 'naked-security' });
    await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    const steve = await deps().db.selectFrom('commenters').selectAll().where('email', '=', 'steve@example.com').executeTakeFirstOrThrow();
    const exported = await exportCommenter(deps().db, steve.id);
    expect(exported).toMatchObject({ imports: [{ siteId: site.id, importedAt: expect.any(String) }] });

    await eraseCommenter(deps(), steve.id);
    const refs = await deps().db.selectFrom('import_refs').selectAll().where('local_id', '=', steve.id).execute();
    expect(refs).toEqual([]);
    const again = await importComments(deps(), { siteId: site.id, format: 'wxr', file: WXR });
    expect(again.comments.total).toBe(0);
    expect(await deps().db.selectFrom('commenters').selectAll().where('email', '=', 'steve@example.com').execute()).toEqual([]);
    // Steve's comment (5016 in the file) stays a tombstone without author.
    const rapil = (await importedComments(deps().db, site.id, 'wxr')).get('5016')!.row;
    expect(rapil).toMatchObject({ status: 'deleted', commenter_id: null });
    expect(rapil.body_src).not.toContain('RAPIL');
  });
});
