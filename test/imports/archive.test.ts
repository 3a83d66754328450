import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../server/db';
import { createEventBus } from '../../server/events';
import { newId } from '../../server/ids';
import { createMember } from '../../server/members/member.service';
import { checkPassword } from '../../server/members/password';
import { exportSite } from '../../server/imports/archive.export';
import { importArchive } from '../../server/imports/archive.import';
import { ImportFileError } from '../../server/imports/import.errors';
import { importComments } from '../../server/imports/import.service';
import * as pollRepo from '../../server/polls/poll.repo';
import type { AdjustableClock } from '../../server/clock';
import { openTestDatabase, resetDatabase } from '../helpers/db';
import { startTestParley } from '../helpers/parley';
import { buildSite } from '../helpers/factories';
import { DISQUS, snapshot, WXR } from './helpers';

/** What a reader and a moderator would see of a site, independent of seq and rendering details. */
async function siteContents(db: Db, siteId: string) {
  const threads = await db.selectFrom('threads').select(['id', 'key', 'url', 'title', 'state', 'mode', 'comment_count', 'created_at', 'format', 'slow_mode_seconds', 'links_allowed', 'closes_at', 'reopens_at']).where('site_id', '=', siteId).orderBy('id').execute();
  const comments = await db.selectFrom('comments').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  const commenters = await db.selectFrom('commenters').selectAll().where('id', 'in', comments.map((c) => c.commenter_id).filter((c): c is string => !!c).concat('none')).orderBy('id').execute();
  const edits = await db.selectFrom('comment_edits').select(['comment_id', 'body_src', 'edited_at']).orderBy('comment_id').orderBy('edited_at').execute();
  const reactions = await db.selectFrom('reactions').selectAll().orderBy('comment_id').orderBy('commenter_id').execute();
  const flags = await db.selectFrom('flags').select(['comment_id', 'commenter_id', 'reason', 'note', 'created_at']).orderBy('comment_id').execute();
  const polls = await db.selectFrom('polls').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  const tallies = await Promise.all(polls.map(async (p) => [...(await pollRepo.tally(db, p.id)).counts.entries()].sort()));
  const site = await db.selectFrom('sites').select(['id', 'name', 'origins', 'settings']).where('id', '=', siteId).executeTakeFirst();
  const members = await db.selectFrom('site_members').innerJoin('members', 'members.id', 'site_members.member_id')
    .select(['members.id', 'members.email', 'members.name', 'site_members.role']).where('site_id', '=', siteId).orderBy('members.id').execute();
  const bans = await db.selectFrom('bans').selectAll().where('site_id', '=', siteId).where('commenter_id', 'is not', null).orderBy('id').execute();
  const log = (await db.selectFrom('moderation_log').selectAll().where('site_id', '=', siteId).orderBy('id').execute()).map(({ id: _id, ...e }) => e);
  const presets = await db.selectFrom('thread_presets').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  return {
    presets,
    members,
    bans,
    log,
    site,
    threads,
    comments: comments.map(({ seq: _seq, ...c }) => c),
    commenters,
    edits,
    reactions,
    flags,
    polls: polls.map(({ updated_at: _u, ...p }) => p),
    tallies,
  };
}

describe('a site archive', () => {
  let source: DatabaseHandle;
  let target: DatabaseHandle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-archive-'));
  const file = path.join(dir, 'site.jsonl');
  beforeAll(async () => {
    source = await openTestDatabase();
    target = await openTestDatabase('_restore');
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetDatabase(source);
    await resetDatabase(target);
  });
  const deps = (h: DatabaseHandle) => ({ db: h.db, bus: createEventBus() });

  /** A lived-in site: two imports, an edit, reactions, a flag, a poll with votes. */
  async function liveSite() {
    const site = await buildSite(source.db, { id: 'daily', settings: { maxDepth: 3, moderation: 'first_time' } });
    await importComments(deps(source), { siteId: site.id, format: 'wxr', file: WXR });
    await importComments(deps(source), { siteId: site.id, format: 'disqus', file: DISQUS });
    const db = source.db;
    const [first, second] = await db.selectFrom('comments').selectAll().where('status', '=', 'approved').orderBy('created_at').limit(2).execute();
    const voters = await db.selectFrom('commenters').select('id').orderBy('id').limit(3).execute();
    await db.insertInto('comment_edits').values({ comment_id: first.id, body_src: 'What it said before the edit', edited_at: '2023-05-17T09:40:00Z' }).execute();
    await db.updateTable('comments').set({ edited_at: '2023-05-17T09:40:00Z', featured: true }).where('id', '=', first.id).execute();
    for (const v of voters) await db.insertInto('reactions').values({ comment_id: first.id, commenter_id: v.id }).execute();
    await db.insertInto('flags').values({ comment_id: second.id, commenter_id: voters[0].id, reason: 'spam', note: 'looks like an ad' }).execute();
    const thread = await db.selectFrom('threads').selectAll().where('id', '=', first.thread_id).executeTakeFirstOrThrow();
    // A Q&A thread with heat controls, and a question answered by one of its replies.
    await db.updateTable('threads').set({ format: 'qa', slow_mode_seconds: 30, links_allowed: false, closes_at: '2031-01-01T00:00:00Z', reopens_at: '2031-01-02T00:00:00Z' }).where('id', '=', thread.id).execute();
    const reply = await db.selectFrom('comments').select(['id', 'parent_id']).where('thread_id', '=', thread.id).where('parent_id', 'is not', null).where('depth', '=', 1).orderBy('id').executeTakeFirstOrThrow();
    await db.updateTable('comments').set({ answer_id: reply.id }).where('id', '=', reply.parent_id!).execute();
    const pollId = newId();
    const options = ['Seize assets', 'Jail the officers', 'A Jedi mind-trick'].map((label) => ({ id: newId(), label }));
    await db.transaction().execute((trx) =>
      pollRepo.insertPoll(trx, { id: pollId, site_id: site.id, thread_id: thread.id, question: 'How would you resolve this stand-off?', kind: 'single', max_choices: 1, visibility: 'always', network_cap: 5, closes_at: null, created_by: null }, options),
    );
    await db.transaction().execute(async (trx) => {
      await pollRepo.putBallot(trx, pollId, voters[0].id, 'network-hash-a', [options[0].id]);
      await pollRepo.putBallot(trx, pollId, voters[1].id, 'network-hash-b', [options[0].id]);
      await pollRepo.putBallot(trx, pollId, voters[2].id, null, [options[2].id]);
    });
    await sql`update threads set comment_count = (select count(*) from comments c where c.thread_id = threads.id and c.status = 'approved')`.execute(db);
    await db.updateTable('comments').set({ reaction_count: 3 }).where('id', '=', first.id).execute();
    await db.updateTable('comments').set({ flag_count: 1 }).where('id', '=', second.id).execute();
    // The newsroom: an admin, a ban of a commenter, a network ban (not archived), and the log.
    const { member: admin } = await createMember(db, { email: 'editor@daily.example', name: 'Ed Itor', password: 'a long enough password' });
    await db.insertInto('site_members').values({ site_id: site.id, member_id: admin.id, role: 'admin' }).execute();
    // The desk's presets of thread settings.
    const at = '2026-11-02T08:00:00.000Z';
    await db.insertInto('thread_presets').values([
      { id: newId(), site_id: site.id, name: 'Live blog', settings: JSON.stringify({ slowModeSeconds: 30, format: 'qa', closeAfterHours: 48 }), created_at: at, updated_at: at },
      { id: newId(), site_id: site.id, name: 'Sensitive', settings: JSON.stringify({ mode: 'pre', linksAllowed: false }), created_at: at, updated_at: '2026-11-20T10:00:00.000Z' },
    ]).execute();
    const ban = { site_id: site.id, comment_id: second.id, reason: 'spam links', created_by_type: 'member' as const, created_by_id: admin.id, created_by_name: admin.name, expires_at: null, lifted_at: null };
    await db.insertInto('bans').values({ ...ban, id: newId(), commenter_id: second.commenter_id, network_hash: null, network_day: null }).execute();
    await db.insertInto('bans').values({ ...ban, id: newId(), commenter_id: null, network_hash: 'network-hash-c', network_day: '2026-11-20' }).execute();
    await db.insertInto('moderation_log').values({ site_id: site.id, actor_type: 'member', actor_id: admin.id, actor_name: admin.name, action: 'comment.reject', target_type: 'comment', target_id: second.id, comment_id: second.id, thread_id: second.thread_id, commenter_id: second.commenter_id, from_status: 'approved', to_status: 'rejected', reason: 'spam links', details: JSON.stringify({ bulk: false }) }).execute();
    return site;
  }

  it('exported and restored into an empty database gives the same site, threads, comments, statuses and tallies', async () => {
    const site = await liveSite();
    const original = await siteContents(source.db, site.id);
    const out = fs.createWriteStream(file);
    const counts = await exportSite(source.db, site.id, out);
    await new Promise((resolve) => out.end(resolve));
    expect(counts).toMatchObject({ site: 1, member: 1, preset: 2, thread: 3, comment: original.comments.length, poll: 1, ballot: 3, reaction: 3, flag: 1, ban: 1, log: 1 });

    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/network-hash|password|body_html|bodyHtml|ip_hash/);

    const report = await importArchive(deps(target), { siteId: site.id, file });
    expect(report.comments.total).toBe(original.comments.length);
    expect(report.polls).toEqual({ imported: 1, ballots: 3 });
    expect(report.moderation).toEqual({ members: 1, bans: 1, logEntries: 1, presets: 2 });
    const restored = await siteContents(target.db, site.id);
    expect(restored).toEqual(original);
    expect(original.members).toHaveLength(1);
    // The restored admin has no password until one is set for them.
    const restoredAdmin = await target.db.selectFrom('members').select('password_hash').executeTakeFirstOrThrow();
    expect(await checkPassword(restoredAdmin.password_hash, 'a long enough password')).toBe(false);
    expect(report.notes.map((n) => n.reason)).toContainEqual(expect.stringMatching(/reset-password/));

    // Restoring the same archive again changes nothing.
    const before = await snapshot(target.db);
    const again = await importArchive(deps(target), { siteId: site.id, file });
    expect(again.comments).toMatchObject({ total: 0, alreadyImported: original.comments.length });
    expect(await snapshot(target.db)).toEqual(before);
  });

  it('restores close, reopen and poll closing times still to come as scheduled: the restored site closes and reopens at them', async () => {
    const site = await liveSite();
    // The live site's thread closes on 1 January 2031 and reopens the next day; its poll closes then too.
    await source.db.updateTable('polls').set({ closes_at: '2031-01-01T00:00:00Z' }).execute();
    const out = fs.createWriteStream(file);
    await exportSite(source.db, site.id, out);
    await new Promise((resolve) => out.end(resolve));

    // A dry run schedules nothing.
    await importArchive(deps(target), { siteId: site.id, file, dryRun: true });
    expect(await target.db.selectFrom('outbox').select('kind').execute()).toEqual([]);
    await importArchive(deps(target), { siteId: site.id, file });
    const rows = await target.db.selectFrom('outbox').select(['kind', 'next_attempt_at']).orderBy('next_attempt_at').orderBy('kind').execute();
    expect(rows.map((r) => [r.kind, new Date(r.next_attempt_at).toISOString()])).toEqual([
      ['poll.close', '2031-01-01T00:00:00.000Z'],
      ['thread.schedule', '2031-01-01T00:00:00.000Z'],
      ['thread.schedule', '2031-01-02T00:00:00.000Z'],
    ]);

    // A Parley serving the restored database, when the times come.
    const parley = await startTestParley({}, { database: target });
    try {
      const thread = await target.db.selectFrom('threads').select('id').where('closes_at', 'is not', null).executeTakeFirstOrThrow();
      const state = async () => (await target.db.selectFrom('threads').select('state').where('id', '=', thread.id).executeTakeFirstOrThrow()).state;
      const clock = parley.app.deps.clock as AdjustableClock;
      clock.advance(Date.parse('2031-01-01T00:00:01Z') - clock.now().getTime());
      await parley.app.deps.outbox.drain();
      expect(await state()).toBe('closed');
      expect((await target.db.selectFrom('polls').select('closed_at').executeTakeFirstOrThrow()).closed_at).toEqual(new Date('2031-01-01T00:00:00Z'));
      const updates = await target.db.selectFrom('thread_events').select('event').where('thread_id', '=', thread.id).where('event', '=', 'thread:updated').execute();
      expect(updates.length).toBeGreaterThanOrEqual(2);
      clock.advance(24 * 3_600_000);
      await parley.app.deps.outbox.drain();
      expect(await state()).toBe('open');
      const log = await target.db.selectFrom('moderation_log').select('action').where('thread_id', '=', thread.id).where('actor_type', '=', 'system').orderBy('id').execute();
      expect(log.map((l) => l.action)).toEqual(['thread.close', 'thread.reopen']);
    } finally {
      await parley.close();
    }
  });

  it('refuses a damaged archive with the line and the reason, and changes nothing', async () => {
    const site = await liveSite();
    const out = fs.createWriteStream(file);
    await exportSite(source.db, site.id, out);
    await new Promise((resolve) => out.end(resolve));
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const cases: Array<[string, string[], RegExp, number]> = [
      ['cut short', lines.slice(0, 40), /no end record: it was cut short/, 40],
      ['not JSON', [...lines.slice(0, 5), '{"type":"comment",', ...lines.slice(5)], /not a JSON object/, 6],
      ['a bad status', lines.map((l) => l.replace('"status":"approved"', '"status":"shown"')), /not a valid archive record: status/, lines.findIndex((l) => l.includes('"status":"approved"')) + 1],
      ['not an archive', ['{"hello":"world"}'], /not a valid archive record/, 1],
      [
        'ballots that do not match the tallies',
        lines.map((l) => {
          if (!l.includes('"type":"poll"')) return l;
          const poll = JSON.parse(l);
          const first = Object.keys(poll.tallies)[0];
          return JSON.stringify({ ...poll, tallies: { ...poll.tallies, [first]: poll.tallies[first] + 1 } });
        }),
        /do not add up to the tallies recorded for poll/,
        lines.findIndex((l) => l.includes('"type":"poll"')) + 1,
      ],
      ['a lost record', lines.filter((l) => !l.includes('"type":"flag"')), /the end record counts 1 flag records but the file has 0/, lines.length - 1],
      ['a preset without settings', lines.map((l) => (l.includes('"type":"preset"') ? l.replace(/"settings":\{[^}]*\}/, '"settings":{}') : l)), /not a valid archive record: settings/, lines.findIndex((l) => l.includes('"type":"preset"')) + 1],
    ];
    for (const [what, content, reason, line] of cases) {
      fs.writeFileSync(file, content.join('\n') + '\n');
      const before = await snapshot(target.db);
      const error = await importArchive(deps(target), { siteId: site.id, file }).catch((e) => e);
      expect({ what, error: error instanceof ImportFileError, line: error.line }).toEqual({ what, error: true, line });
      expect(error.reason).toMatch(reason);
      expect(await snapshot(target.db)).toEqual(before);
    }
    // The target site already has a preset of that name (another id): the restore stops at its line.
    await buildSite(target.db, { id: site.id });
    await target.db.insertInto('thread_presets').values({ id: newId(), site_id: site.id, name: 'LIVE BLOG', settings: JSON.stringify({ format: 'qa' }), created_at: new Date(), updated_at: new Date() }).execute();
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const before = await snapshot(target.db);
    const error = await importArchive(deps(target), { siteId: site.id, file }).catch((e) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect({ line: error.line, reason: error.reason }).toEqual({ line: lines.findIndex((l) => l.includes('"name":"Live blog"')) + 1, reason: 'another preset named "Live blog" already exists in site "daily"' });
    expect(await snapshot(target.db)).toEqual(before);
  });
});
