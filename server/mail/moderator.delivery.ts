/**
 * Moderators' mail through the outbox: a flagged comment at once (written with the report that
 * brought it to the threshold), and the pending digest, one recurring row per member and site that
 * runs at their local hour, skips an empty queue, and reschedules itself for the next day.
 */
import type { MailModeratorPrefs } from '../../db/schema';
import { getSite } from '../sites/site.service';
import { nextLocalHour } from './local-time';
import { digestKey } from './moderator.service';
import { escapeHtml, excerpt, type MailLang } from './mail.texts';
import { messageIdOf } from './mail.delivery';
import type { MailDeps } from './subscription.service';
import { type ModeratorScope, unsubscribeToken } from './unsubscribe-token';

const T = {
  en: {
    flaggedSubject: (site: string) => `A comment was flagged on ${site}`,
    flaggedIntro: (n: number, reason: string) => `Readers reported this comment (${n} reports, the latest: ${reason}):`,
    digestSubject: (n: number, site: string) => `${n} comment${n === 1 ? '' : 's'} waiting for moderation on ${site}`,
    digestIntro: (n: number) => `${n} comment${n === 1 ? ' is' : 's are'} waiting in the pending queue:`,
    open: 'Open the queue:',
    stop: 'Stop these emails:',
  },
  fr: {
    flaggedSubject: (site: string) => `Un commentaire a été signalé sur ${site}`,
    flaggedIntro: (n: number, reason: string) => `Des lecteurs ont signalé ce commentaire (${n} signalements, le dernier : ${reason}) :`,
    digestSubject: (n: number, site: string) => `${n} commentaire${n === 1 ? '' : 's'} en attente de modération sur ${site}`,
    digestIntro: (n: number) => `${n} commentaire${n === 1 ? '' : 's'} en attente :`,
    open: 'Ouvrir la file :',
    stop: 'Ne plus recevoir ces e-mails :',
  },
} as const;

/** A mail to a member about their site: an intro, a list, a link into the dashboard, and its own unsubscribe link. */
export function memberMail(lang: MailLang, subject: string, intro: string, lines: string[], open: { label: string; url: string }, stopUrl: string) {
  const stop = T[lang].stop;
  return {
    subject,
    text: [intro, '', ...lines.map((l) => `- ${l}`), '', `${open.label} ${open.url}`, '', '--', `${stop} ${stopUrl}`, ''].join('\n'),
    html: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"></head><body style="font:15px/1.5 system-ui,sans-serif;color:#222"><p>${escapeHtml(intro)}</p><ul>${lines
      .map((l) => `<li>${escapeHtml(l)}</li>`)
      .join('')}</ul><p><a href="${escapeHtml(open.url)}">${escapeHtml(open.label.replace(/ ?:$/, ''))}</a></p><hr><p style="color:#666;font-size:13px"><a href="${escapeHtml(stopUrl)}">${escapeHtml(stop.replace(/ ?:$/, ''))}</a></p></body></html>`,
  };
}

const render = (lang: MailLang, subject: string, intro: string, lines: string[], queueUrl: string, stopUrl: string) =>
  memberMail(lang, subject, intro, lines, { label: T[lang].open, url: queueUrl }, stopUrl);

/** The List-Unsubscribe pair of a member's mail of one kind, signed with their preferences' secret. */
export function memberStopLinks(deps: Pick<MailDeps, 'publicUrl' | 'mailer'>, prefs: MailModeratorPrefs, scope: ModeratorScope) {
  const token = unsubscribeToken(prefs.secret, { addressId: prefs.id, scope, target: null });
  return {
    url: `${deps.publicUrl}/api/v1/mail/unsubscribe?token=${token}`,
    mailto: `mailto:unsubscribe@${deps.mailer?.domain ?? 'parley.invalid'}?subject=unsubscribe%20${token}`,
  };
}

async function recipient(deps: MailDeps, prefsId: string) {
  return deps.db
    .selectFrom('mail_moderator_prefs as p')
    .innerJoin('members as m', 'm.id', 'p.member_id')
    .innerJoin('site_members as sm', (j) => j.onRef('sm.member_id', '=', 'p.member_id').onRef('sm.site_id', '=', 'p.site_id'))
    .selectAll('p')
    .select(['m.email', 'sm.role'])
    .where('p.id', '=', prefsId)
    .executeTakeFirst();
}

export function registerModeratorMail(deps: MailDeps): void {
  const { outbox, mailer } = deps;
  if (!mailer) return;
  const queueUrl = (siteId: string, queue: string) => `${deps.publicUrl}/moderate?site=${encodeURIComponent(siteId)}&queue=${queue}`;

  outbox.handle<{ prefsId: string; commentId: string; flagCount: number; reason: string }>('mail.flagged', async (job) => {
    const to = await recipient(deps, job.payload.prefsId);
    if (!to?.flagged || to.role === 'journalist') return;
    const comment = await deps.db.selectFrom('comments').select(['author_name', 'body_src']).where('id', '=', job.payload.commentId).executeTakeFirst();
    if (!comment) return;
    const site = await getSite(deps.db, to.site_id);
    const t = T[to.lang];
    const line = `${comment.author_name ?? 'Anonymous'}: ${excerpt(comment.body_src)}`;
    const stop = memberStopLinks(deps, to, 'f');
    const mail = render(to.lang, t.flaggedSubject(site.name), t.flaggedIntro(job.payload.flagCount, job.payload.reason), [line], queueUrl(site.id, 'flagged'), stop.url);
    await mailer.send({ to: to.email, ...mail, unsubscribe: stop, messageId: messageIdOf(job, mailer) });
  });

  outbox.handle<{ prefsId: string }>('mail.digest', async (job) => {
    const to = await recipient(deps, job.payload.prefsId);
    if (!to || to.digest_hour === null || to.role === 'journalist') return;
    // Another row for this digest (its hour changed meanwhile): that one carries on.
    const newer = await deps.db.selectFrom('outbox').select('id').where('dedupe_key', '=', digestKey(to.id)).where('id', '!=', job.id).where('done_at', 'is', null).executeTakeFirst();
    if (newer) return;
    const pending = await deps.db
      .selectFrom('comments')
      .select(['author_name', 'body_src'])
      .where('site_id', '=', to.site_id)
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .limit(20)
      .execute();
    if (pending.length > 0) {
      const total = Number(
        (await deps.db.selectFrom('comments').select((eb) => eb.fn.countAll().as('n')).where('site_id', '=', to.site_id).where('status', '=', 'pending').executeTakeFirstOrThrow()).n,
      );
      const site = await getSite(deps.db, to.site_id);
      const t = T[to.lang];
      const stop = memberStopLinks(deps, to, 'd');
      const lines = pending.map((c) => `${c.author_name ?? 'Anonymous'}: ${excerpt(c.body_src)}`);
      const mail = render(to.lang, t.digestSubject(total, site.name), t.digestIntro(total), lines, queueUrl(site.id, 'pending'), stop.url);
      await mailer.send({ to: to.email, ...mail, unsubscribe: stop, messageId: messageIdOf(job, mailer) });
    }
    // The next run: tomorrow's local hour (an hour past now, so a send at the hour itself moves on).
    return { reschedule: { at: nextLocalHour(new Date(deps.clock.now().getTime() + 60_000), to.digest_hour, to.time_zone) } };
  });

  outbox.within('comment.flagged', async (e, trx) => {
    if (!e.entered) return [];
    const prefs = await trx
      .selectFrom('mail_moderator_prefs as p')
      .innerJoin('site_members as sm', (j) => j.onRef('sm.member_id', '=', 'p.member_id').onRef('sm.site_id', '=', 'p.site_id'))
      .select('p.id')
      .where('p.site_id', '=', e.siteId)
      .where('p.flagged', '=', true)
      .where('sm.role', 'in', ['admin', 'moderator'])
      .execute();
    return prefs.map((p: { id: string }) => ({
      kind: 'mail.flagged',
      siteId: e.siteId,
      payload: { prefsId: p.id, commentId: e.commentId, flagCount: e.flagCount, reason: e.reason },
    }));
  });
}
