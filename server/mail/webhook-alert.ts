/**
 * The admins' mail when a webhook endpoint of their site is switched off after 3 days of failures
 * (SPEC §10). One row per admin is written with the switch-off; each is sent, in the admin's
 * language, unless they turned these mails off from an earlier one's unsubscribe link.
 */
import '../sites/notice.events';
import { getSite } from '../sites/site.service';
import { messageIdOf } from './mail.delivery';
import type { MailDeps } from './mail.deps';
import type { MailLang } from './mail.texts';
import { memberMail, memberStopLinks } from './moderator.delivery';
import { ensurePrefs } from './moderator.service';

const T = {
  en: {
    subject: (site: string) => `A webhook of ${site} was switched off`,
    intro: (endpoint: string, since: string) => `The webhook endpoint ${endpoint} has failed every delivery since ${since}, and was switched off after 3 days.`,
    kept: 'Its queued events are kept: they go out, in order, once it is switched back on.',
    open: 'Open the webhooks:',
    locale: 'en-GB',
  },
  fr: {
    subject: (site: string) => `Un webhook de ${site} a été arrêté`,
    intro: (endpoint: string, since: string) => `Le webhook ${endpoint} échoue à chaque envoi depuis le ${since} ; il a été arrêté au bout de 3 jours.`,
    kept: 'Ses événements en attente sont conservés : ils partiront, dans l’ordre, dès qu’il sera réactivé.',
    open: 'Ouvrir les webhooks :',
    locale: 'fr-FR',
  },
} as const;

interface AlertPayload {
  memberId: string;
  siteId: string;
  url: string;
  description: string;
  failingSince: string | null;
}

export function alertMail(lang: MailLang, site: { id: string; name: string }, p: AlertPayload, timeZone: string, publicUrl: string, stopUrl: string) {
  const t = T[lang];
  const since = p.failingSince ? new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(p.failingSince)) : '?';
  const endpoint = p.description ? `${p.url} (${p.description})` : p.url;
  const open = { label: t.open, url: `${publicUrl}/moderate?site=${encodeURIComponent(site.id)}#webhooks` };
  return memberMail(lang, t.subject(site.name), t.intro(endpoint, since), [t.kept], open, stopUrl);
}

export function registerWebhookAlertMail(deps: MailDeps): void {
  const { outbox, mailer } = deps;
  if (!mailer) return;

  outbox.handle<AlertPayload>('mail.webhook_off', async (job) => {
    const p = job.payload;
    const to = await deps.db
      .selectFrom('site_members as sm')
      .innerJoin('members as m', 'm.id', 'sm.member_id')
      .select(['m.email'])
      .where('sm.site_id', '=', p.siteId)
      .where('sm.member_id', '=', p.memberId)
      .where('sm.role', '=', 'admin')
      .executeTakeFirst();
    if (!to) return; // no longer an admin of the site
    const site = await getSite(deps.db, p.siteId);
    const prefs = await ensurePrefs(deps, p.memberId, site);
    if (!prefs.webhook_alerts) return;
    const stop = memberStopLinks(deps, prefs, 'w');
    const mail = alertMail(prefs.lang, site, p, prefs.time_zone, deps.publicUrl, stop.url);
    await mailer.send({ to: to.email, ...mail, unsubscribe: stop, messageId: messageIdOf(job, mailer) });
  });

  outbox.within('webhook.switched_off', async (e, trx) => {
    const admins = await trx.selectFrom('site_members').select('member_id').where('site_id', '=', e.siteId).where('role', '=', 'admin').execute();
    return admins.map((a) => ({
      kind: 'mail.webhook_off',
      siteId: e.siteId,
      payload: { memberId: a.member_id, siteId: e.siteId, url: e.url, description: e.description, failingSince: e.failingSince } satisfies AlertPayload,
    }));
  });
}
