import { handWritten, seedComments } from '../../scripts/corpus';
import { applySample } from '../../server/abuse/abuse.repo';
import { featuresOf } from '../../server/abuse/features';
import { buildComment, buildCommenter, buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { proofFor } from '../helpers/proof';
import { call } from '../helpers/reader';
import { member } from '../helpers/staff';

// Several networks through X-Forwarded-For; flood limits off so twenty posts from a test all land.
const parley = useParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;
// A text that reads like anyone's: only its repetition across readers makes it spam.
const BURST = 'I completely agree with the previous commenter, the council should resign over this scandal.';

describe('risk', () => {
  it('sends a site-wide burst of one text from twenty anonymous readers to spam after the first few', async () => {
    const site = await buildSite(db());
    const threads = [await buildThread(db(), site.id), await buildThread(db(), site.id)];
    const statuses: string[] = [];
    for (let i = 0; i < 20; i++) {
      const thread = threads[i % 2]!;
      // Small variations do not make it a new text.
      const body = i % 3 === 0 ? BURST : `${BURST}${'!'.repeat(i % 3)}`;
      const ip = `198.51.100.${i + 1}`;
      const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body, altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
      expect(res.status).toBe(201);
      statuses.push((await db().selectFrom('comments').select('status').where('id', '=', res.body.comment.id).executeTakeFirstOrThrow()).status);
    }
    expect(statuses.slice(0, 2)).toEqual(['approved', 'approved']);
    // From the fifth on, every one is spam.
    expect(statuses.slice(5)).toEqual(Array(15).fill('spam'));
    const last = await db().selectFrom('comments').select(['risk', 'risk_reasons']).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(last.risk).toBeGreaterThanOrEqual(0.9);
    expect(last.risk_reasons).toEqual([expect.objectContaining({ code: 'near_duplicate', detail: expect.stringContaining('other readers') })]);

    // Moderators see the score and why, highest first when they ask.
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const queue = await mod.call('get', `/moderation/comments?site=${site.id}&queue=spam&sort=risk&limit=5`);
    expect(queue.status).toBe(200);
    expect(queue.body.items).toHaveLength(5);
    const risks = queue.body.items.map((i: any) => i.comment.risk);
    expect([...risks].sort((a, b) => b - a)).toEqual(risks);
    expect(queue.body.items[0].comment.riskReasons[0]).toMatchObject({ code: 'near_duplicate' });
    const next = await mod.call('get', `/moderation/comments?site=${site.id}&queue=spam&sort=risk&limit=20&cursor=${queue.body.nextCursor}`);
    expect(next.body.items).toHaveLength(statuses.filter((x) => x === 'spam').length - 5);
    expect(next.body.items.every((i: any) => i.comment.risk <= risks[4])).toBe(true);
  });

  it('follows the site thresholds, set from the dashboard settings', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const admin = await member(parley, [[site.id, 'admin']], 'admin');
    const bad = await admin.call('patch', `/sites/${site.id}`, { settings: { risk: { holdAt: 2 } } });
    expect(bad.status).toBe(400);
    const ok = await admin.call('patch', `/sites/${site.id}`, { settings: { risk: { holdAt: 0.3, spamAt: 0.99 } } });
    expect(ok.status).toBe(200);
    expect(ok.body.site.settings.risk).toEqual({ holdAt: 0.3, spamAt: 0.99 });
    // Three readers posting one text: risk 0.5, under spamAt, over the lowered holdAt.
    for (let i = 0; i < 3; i++) {
      const ip = `203.0.113.${i + 1}`;
      await call(parley, 'post', `/threads/${thread.id}/comments`, { body: BURST, altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
    }
    const statuses = (await db().selectFrom('comments').select('status').orderBy('created_at').execute()).map((r) => r.status);
    expect(statuses).toEqual(['approved', 'approved', 'pending']);
  });

  it('holds the next comment giving a phone number once moderators marked three such comments as spam', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const spam = [
      'I was scammed too but a recovery expert got my funds back, contact him on WhatsApp +1 555 0100',
      'My mentor turned 500 into 6,800 in two weeks, message him on Telegram @jamescarterfx',
      'Prêt entre particuliers rapide, contactez-moi par email pret-serieux@mail.example',
    ];
    for (const [i, body] of spam.entries()) {
      const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body }, { ip: `198.51.100.${i + 1}` });
      expect((await mod.call('post', `/moderation/comments/${res.body.comment.id}/decision`, { action: 'spam' })).status).toBe(200);
    }
    // With a proof of work, as the widget posts: the contact details alone hold it, they do not send it to spam.
    const post = async (body: string, ip: string) => call(parley, 'post', `/threads/${thread.id}/comments`, { body, altcha: await proofFor(parley, thread.id, { ip }) }, { ip });
    const next = await post('Good read. My cousin earned a lot with her adviser, call her on +44 7700 900123', '198.51.100.9');
    expect(next.status).toBe(201);
    const queue = await mod.call('get', `/moderation/comments?site=${site.id}&queue=pending`);
    expect(queue.body.items.map((i: { comment: { id: string } }) => i.comment.id)).toEqual([next.body.comment.id]);
    expect(queue.body.items[0].comment.riskReasons.map((r: { code: string }) => r.code)).toContain('contact');
    // A comment with no contact details is not touched by it.
    const plain = await post('Good read. My cousin lost money with her adviser last year.', '198.51.100.10');
    expect(plain.body.comment.status).toBe('approved');
  });

  it('rejects a blocked word even when the risk alone would only hold the comment', async () => {
    const site = await buildSite(db(), { settings: { blockedWords: ['scandal'], risk: { holdAt: 0.3, spamAt: 0.99 } } });
    const thread = await buildThread(db(), site.id);
    // The third reader's copy is risky enough to hold (0.5); its blocked word still rejects it.
    for (let i = 0; i < 3; i++) await call(parley, 'post', `/threads/${thread.id}/comments`, { body: BURST }, { ip: `203.0.113.${i + 1}` });
    const rows = await db().selectFrom('comments').select(['status', 'risk']).orderBy('created_at').execute();
    expect(rows.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(rows[2]!.risk).toBeGreaterThanOrEqual(0.3);
  });

  it('lets a trusted reader post links without being held, and takes trust away with one rejection', async () => {
    const site = await buildSite(db(), { settings: { maxLinks: 0 } });
    const thread = await buildThread(db(), site.id);
    const first = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'My first comment here, on the bridge repairs.' });
    const token = first.body.commenterToken as string;
    const commenterId = (await db().selectFrom('comments').select('commenter_id').executeTakeFirstOrThrow()).commenter_id!;
    for (let i = 0; i < 3; i++) await buildComment(db(), thread, { status: 'approved', commenterId, body: `Earlier comment ${i}` });
    const withLink = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'And the agenda: https://council.example/agenda' }, { token });
    expect(withLink.body.comment.status).toBe('approved');

    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await mod.call('post', `/moderation/comments/${first.body.comment.id}/decision`, { action: 'reject' })).status).toBe(200);
    const held = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'And the agenda for June: https://council.example/agenda-june' }, { token });
    expect(held.body.comment.status).toBe('pending');
  });

  /** Posts every seed thread reader's comment as the widget does (with a proof of work); returns those not published. */
  async function heldSeedComments(threadId: string): Promise<string[]> {
    const held: string[] = [];
    for (const [i, example] of seedComments().entries()) {
      const ip = `192.0.2.${i + 1}`;
      const res = await call(parley, 'post', `/threads/${threadId}/comments`, { body: example.text, altcha: await proofFor(parley, threadId, { ip }) }, { ip });
      expect(res.status).toBe(201);
      if (res.body.comment.status !== 'approved') held.push(example.text.slice(0, 60));
    }
    return held;
  }

  it('publishes every seed thread reader’s comment on a new site: none is held for its risk', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    expect(await heldSeedComments(thread.id)).toEqual([]);
  });

  it('publishes every seed thread reader’s comment on a young site, one that has just learnt 20 texts', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    // Its first decisions: twelve spam comments and eight genuine ones.
    const corpus = handWritten();
    const first = [...corpus.filter((e) => e.label === 'spam').slice(0, 12), ...corpus.filter((e) => e.label === 'ham').slice(0, 8)];
    await db().transaction().execute(async (trx) => {
      for (const e of first) await applySample(trx, site.id, featuresOf(e.text), e.label, 1);
    });
    expect(await heldSeedComments(thread.id)).toEqual([]);
    // It still holds the spam it was taught to see.
    const spam = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: corpus.filter((e) => e.label === 'spam')[12]!.text, altcha: await proofFor(parley, thread.id, { ip: '192.0.2.200' }) }, { ip: '192.0.2.200' });
    expect(spam.body.comment.status).toBe('pending');
  });

  it('is not computed for staff', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const reader = await buildCommenter(db());
    await buildComment(db(), thread, { status: 'approved', commenterId: reader.id, body: BURST });
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const res = await mod.call('post', `/moderation/threads/${thread.id}/comments`, { body: BURST });
    expect(res.status).toBe(201);
    const row = await db().selectFrom('comments').select(['risk', 'status']).where('member_id', 'is not', null).executeTakeFirstOrThrow();
    expect(row).toEqual({ risk: null, status: 'approved' });
  });
});
