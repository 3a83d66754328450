import { nextLocalHour } from '../../server/mail/local-time';
import { buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { apiKey, member } from '../helpers/staff';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

/** Moderators' mail through a real SMTP server; the digest's hour is reached by moving the injected clock. */
let smtp: TestSmtp;
let parley: TestParley;

beforeAll(async () => {
  smtp = await startTestSmtp();
  parley = await startTestParley({ SMTP_URL: smtp.url, SMTP_FROM: 'Parley <moderation@news.example>', PUBLIC_URL: 'https://parley.test', PARLEY_RATE_LIMITS: 'off' });
});
afterAll(async () => {
  await parley.close();
  await smtp.close();
});
beforeEach(async () => {
  await parley.reset();
  smtp.clear();
});

const clock = () => parley.app.deps.clock;
const parisHour = (at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(at);

describe('moderators’ mail', () => {
  it('mails a flagged comment at once, with a link into /moderate and its own unsubscribe', async () => {
    const site = await buildSite(parley.database.db, { settings: { flagThreshold: 1 } });
    const thread = await buildThread(parley.database.db, site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    const saved = await mod.call('put', `/sites/${site.id}/notifications`, { flagged: true, digestHour: null, timeZone: 'Europe/Paris' });
    expect(saved.status).toBe(200);
    expect(saved.body.notifications).toMatchObject({ flagged: true, digestHour: null, timeZone: 'Europe/Paris' });
    const posted = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Buy cheap watches', email: 'spammer@example.com' });
    expect((await call(parley, 'post', `/comments/${posted.body.comment.id}/flags`, { reason: 'spam' })).status).toBe(201);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual([mod.email.toLowerCase()]);
    expect(mail!.subject).toBe('A comment was flagged on The Daily Example');
    expect(mail!.text).toContain(`https://parley.test/moderate?site=${site.id}&queue=flagged`);
    expect(mail!.raw).not.toContain('spammer@example.com');
    expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const stop = /<https:\/\/parley\.test([^>]+)>/.exec(mail!.headers['list-unsubscribe']!)![1]!;
    expect((await parley.http().post(stop).type('form').send('List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await mod.call('get', `/sites/${site.id}/notifications`)).body.notifications.flagged).toBe(false);
  });

  it('sends the pending digest at the moderator’s local hour, and skips it when the queue is empty', async () => {
    const site = await buildSite(parley.database.db, { settings: { moderation: 'pre' } });
    const thread = await buildThread(parley.database.db, site.id);
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await mod.call('put', `/sites/${site.id}/notifications`, { flagged: false, digestHour: 8, timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await (await apiKey(parley, site.id)).call('put', `/sites/${site.id}/notifications`, { flagged: false, digestHour: 8, timeZone: 'UTC' })).status).toBe(403);
    await mod.call('put', `/sites/${site.id}/notifications`, { flagged: false, digestHour: 8, timeZone: 'Europe/Paris' });
    const first = nextLocalHour(clock().now(), 8, 'Europe/Paris');
    expect(parisHour(first)).toBe('08');

    // The first 08:00 in Paris comes with an empty queue: nothing is sent.
    clock().advance(first.getTime() - clock().now().getTime() + 1000);
    await parley.app.deps.outbox.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toEqual([]);

    await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Held for review', name: 'Reader' });
    // An hour before the next one, still nothing.
    clock().advance(22 * 3600_000);
    await parley.app.deps.outbox.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toEqual([]);
    clock().advance(2 * 3600_000);
    await parley.app.deps.outbox.drain();
    const [digest] = await smtp.waitFor(1);
    expect(parisHour(clock().now())).toBe('08');
    expect(digest!.subject).toBe('1 comment waiting for moderation on The Daily Example');
    expect(digest!.text).toContain('Reader: Held for review');
    expect(digest!.text).toContain(`https://parley.test/moderate?site=${site.id}&queue=pending`);
    expect(digest!.headers['list-unsubscribe']).toMatch(/^<https:\/\/parley\.test\/api\/v1\/mail\/unsubscribe\?token=[\w.-]+>, <mailto:/);
  });
});
