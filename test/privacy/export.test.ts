import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll } from '../../server/polls/poll.service';
import { runRetention } from '../../server/privacy/retention.service';
import { buildSite, buildThread } from '../helpers/factories';
import { addEdit, commenterIdOf, flag, postAs, react } from './helpers';
import { useParley } from '../helpers/parley';

const parley = useParley({ TRUST_PROXY: 'loopback' }, { capture: true });

const DAY = 86_400_000;

describe('GET /me/export', () => {
  it('downloads everything held about the commenter, of every kind, and nothing about anyone else', async () => {
    const db = parley.db;
    const site = await buildSite(db, { settings: { retentionDays: 14 } });
    const thread = await buildThread(db, site.id);
    const as = { ip: '203.0.113.5', userAgent: 'ExportBrowser/2.0' };
    const first = await postAs(parley, thread.id, { body: 'The CNIL should fine them *again*.', name: 'Rich', email: 'rich@example.com', website: 'https://rich.example' }, as);
    const token: string = first.body.commenterToken;
    const me = await commenterIdOf(db, first.body.comment.id);
    const other = await postAs(parley, thread.id, { body: 'They will never pay.', name: 'Paul Ducklin', email: 'duck@example.com', parentId: first.body.comment.id }, { ip: '198.51.100.1' });
    const otherId = await commenterIdOf(db, other.body.comment.id);
    const reply = await postAs(parley, thread.id, { body: 'Then seize their servers.', parentId: other.body.comment.id }, { token, ...as });
    const pending = await postAs(parley, thread.id, { body: 'https://a.example https://b.example https://c.example' }, { token, ...as });
    await db.updateTable('comments').set({ status: 'spam', previous_status: 'pending' }).where('id', '=', pending.body.comment.id).execute();
    await addEdit(db, first.body.comment.id, 'The CNIL should fine them.');
    await react(db, other.body.comment.id, me);
    await react(db, first.body.comment.id, otherId);
    await flag(db, other.body.comment.id, me, 'off_topic', 'not about Clearview');
    await flag(db, first.body.comment.id, otherId, 'abuse', 'Paul’s private note');
    await parley.http().post('/api/v1/privacy/requests').send({ site: site.id, email: 'RICH@example.com', kind: 'erase' });
    const poll = await createPoll(
      parley.app.deps,
      { memberId: null, canManage: async () => true },
      thread.id,
      CreatePollSchema.parse({ question: 'Should Clearview pay?', options: ['Yes', 'No', 'Twice'], kind: 'multiple', maxChoices: 2 }),
    );
    const [yes, , twice] = poll.options.map((o) => o.id);
    const voted = await parley.http().put(`/api/v1/polls/${poll.id}/vote`).set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', as.ip).send({ optionIds: [yes, twice] });
    expect(voted.status).toBe(200);

    const res = await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="parley-export-${me}-\\d{4}-\\d{2}-\\d{2}\\.json"$`));
    expect(res.headers['cache-control']).toBe('no-store');
    const doc = res.body.export;

    expect(doc).toMatchObject({
      format: 'parley-export/1',
      commenter: { id: me, name: 'Rich', email: 'rich@example.com', website: 'https://rich.example/', hasToken: true },
    });
    expect(doc.comments.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [first.body.comment.id, 'approved'],
      [reply.body.comment.id, 'approved'],
      [pending.body.comment.id, 'spam'],
    ]);
    const [c1, c2] = doc.comments;
    expect(c1).toMatchObject({
      bodySource: 'The CNIL should fine them *again*.',
      bodyHtml: '<p>The CNIL should fine them <em>again</em>.</p>',
      authorName: 'Rich',
      thread: { id: thread.id, key: thread.key, title: thread.title },
      edits: [{ bodySource: 'The CNIL should fine them.' }],
      reactionCount: 1,
      flagCount: 1,
      userAgent: { value: 'ExportBrowser/2.0' },
    });
    expect(c2).toMatchObject({ parentId: other.body.comment.id, edits: [] });
    expect(c1.network.hash).toMatch(/^\d{4}-\d{2}-\d{2}:[\w-]{32}$/);
    expect(Date.parse(c1.network.keptUntil) - Date.parse(c1.createdAt)).toBe(14 * DAY);
    expect(doc.network.hashes).toEqual([
      { hash: c1.network.hash, day: c1.network.hash.slice(0, 10), commentIds: doc.comments.map((c: { id: string }) => c.id), keptUntil: expect.any(String) },
    ]);
    expect(doc.network.explanation).toMatch(/never stored/);
    expect(doc.reactions).toEqual([{ commentId: other.body.comment.id, threadId: thread.id, siteId: site.id, createdAt: expect.any(String) }]);
    expect(doc.flags).toEqual([
      { commentId: other.body.comment.id, threadId: thread.id, siteId: site.id, reason: 'off_topic', note: 'not about Clearview', createdAt: expect.any(String) },
    ]);
    expect(doc.privacyRequests).toEqual([expect.objectContaining({ siteId: site.id, kind: 'erase', channel: 'admin' })]);
    // Sections with nothing in them are there, empty, so the shape never changes under the widget.
    expect(doc.votes).toEqual([
      {
        pollId: poll.id,
        threadId: thread.id,
        siteId: site.id,
        question: 'Should Clearview pay?',
        choices: [{ optionId: yes, label: 'Yes' }, { optionId: twice, label: 'Twice' }],
        votedAt: expect.any(String),
        changedAt: expect.any(String),
        network: { hash: c1.network.hash, keptUntil: expect.any(String) },
      },
    ]);
    expect(doc.moderationDecisions).toEqual([]);

    // Nothing about anyone else: not their name, email, words, notes or identity.
    const text = JSON.stringify(doc);
    for (const foreign of ['Paul Ducklin', 'duck@example.com', 'They will never pay', 'Paul’s private note', otherId]) expect(text).not.toContain(foreign);
    // The address itself is nowhere, not even in the export.
    expect(text).not.toContain('203.0.113.5');
  });

  it('requires the commenter token', async () => {
    const res = await parley.http().get('/api/v1/me/export');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('shows a network hash as gone once retention erased it', async () => {
    const site = await buildSite(parley.db, { settings: { retentionDays: 1 } });
    const thread = await buildThread(parley.db, site.id);
    const res = await postAs(parley, thread.id, { body: 'old news' }, { ip: '203.0.113.9' });
    await parley.db.updateTable('comments').set({ created_at: new Date(Date.now() - 3 * DAY) }).execute();
    await runRetention({ db: parley.db });
    const doc = (await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${res.body.commenterToken}`)).body.export;
    expect(doc.comments[0]).toMatchObject({ network: null, userAgent: null });
    expect(doc.network.hashes).toEqual([]);
  });
});
