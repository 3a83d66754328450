import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { type Receiver, startReceiver } from '../webhooks/receiver';

/** The admins' mail when an endpoint is switched off after 3 days of failures, through a real SMTP server. */
let smtp: TestSmtp;
let parley: TestParley;
let receiver: Receiver;

beforeAll(async () => {
  smtp = await startTestSmtp();
  receiver = await startReceiver(() => 503);
  parley = await startTestParley({
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Parley <moderation@news.example>',
    PUBLIC_URL: 'https://parley.test',
    PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true',
  });
});
afterAll(async () => {
  await parley.close();
  await receiver.close();
  await smtp.close();
});

const clock = () => parley.app.deps.clock;

/** Three days and a bit of failing deliveries, an hour at a time (the longest retry delay). */
async function failForThreeDays() {
  for (let hours = 0; hours < 74; hours++) {
    await parley.app.deps.outbox.drain();
    clock().advance(3_600_000);
  }
  await parley.app.deps.outbox.drain();
}

describe('an endpoint switched off after 3 days of failures', () => {
  it('mails each admin of the site, in their language, with a link to the webhooks and a one-click stop', async () => {
    const site = await buildSite(parley.database.db);
    const ada = await member(parley, [[site.id, 'admin']], 'admin', { name: 'Ada' });
    const bea = await member(parley, [[site.id, 'admin']], 'admin', { name: 'Béa' });
    const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await bea.call('put', `/sites/${site.id}/notifications`, { flagged: false, digestHour: null, timeZone: 'Europe/Paris', lang: 'fr' })).status).toBe(200);
    const created = await ada.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['thread.created'], description: 'CMS' });
    expect(created.status).toBe(201);
    const path = `/sites/${site.id}/webhooks/${created.body.webhook.id}`;
    const resolved = await parley.http().post('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).send({ site: site.id, key: 'alert-1', url: `${SITE_ORIGIN}/a/1` });
    expect(resolved.status).toBeLessThan(300);

    await failForThreeDays();
    expect((await ada.call('get', path)).body.webhook).toMatchObject({ enabled: false, switchedOffReason: 'failing for 3 days' });
    const mails = await smtp.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toHaveLength(2);
    const to = (email: string) => mails.find((m) => m.to.includes(email.toLowerCase()))!;
    expect(mails.some((m) => m.to.includes(mod.email.toLowerCase()))).toBe(false);

    const en = to(ada.email);
    expect(en.subject).toBe('A webhook of The Daily Example was switched off');
    expect(en.text).toContain(`The webhook endpoint ${receiver.url} (CMS) has failed every delivery since`);
    expect(en.text).toContain(`https://parley.test/moderate?site=${site.id}#webhooks`);
    expect(en.html).toContain('Open the webhooks');
    const fr = to(bea.email);
    expect(fr.subject).toBe('Un webhook de The Daily Example a été arrêté');
    expect(fr.text).toContain(`Le webhook ${receiver.url} (CMS) échoue à chaque envoi depuis le`);
    expect(fr.text).toContain('Ouvrir les webhooks');

    // Ada turns these mails off from hers (RFC 8058 one-click); the next switch-off tells Béa only.
    expect(en.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const stop = /<https:\/\/parley\.test([^>]+)>/.exec(en.headers['list-unsubscribe']!)![1]!;
    expect((await parley.http().post(stop).type('form').send('List-Unsubscribe=One-Click')).status).toBe(200);
    expect((await ada.call('get', `/sites/${site.id}/notifications`)).body.notifications).toMatchObject({ webhookAlerts: false, flagged: false, digestHour: null });
    smtp.clear();
    expect((await ada.call('patch', path, { enabled: true })).status).toBe(200);
    await failForThreeDays();
    expect((await ada.call('get', path)).body.webhook.enabled).toBe(false);
    const [again] = await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toHaveLength(1);
    expect(again!.to).toEqual([bea.email.toLowerCase()]);
  });
});
