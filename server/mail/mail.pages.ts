import { escapeHtml, type MailLang } from './mail.texts';
import type { UnsubscribeScope } from './unsubscribe-token';

/** The small pages a mailed link opens: they work without script, and change nothing until a button is pressed. */
const T = {
  en: {
    confirmTitle: 'Confirm your email',
    confirmText: (site: string) => `Press the button to receive the notifications you asked for from ${site}.`,
    confirmButton: 'Confirm my email',
    confirmed: 'Your email is confirmed',
    confirmedText: (site: string) => `${site} will now tell you of new comments as you asked. Every mail has a link to stop.`,
    stopTitle: 'Unsubscribe',
    stopText: { c: 'Stop emails about replies to this comment.', t: 'Stop emails about this discussion.', f: 'Stop emails about flagged comments on this site.', d: 'Stop the daily digest of the pending queue on this site.', w: 'Stop emails about webhooks of this site being switched off.', s: (site: string) => `Stop every email from ${site}.` },
    stopButton: 'Unsubscribe',
    stopped: 'You are unsubscribed',
    stoppedText: 'No more of these emails will be sent to you.',
    gone: 'This link no longer works',
    goneText: 'It has expired or was already used.',
  },
  fr: {
    confirmTitle: 'Confirmez votre e-mail',
    confirmText: (site: string) => `Appuyez sur le bouton pour recevoir les notifications demandées à ${site}.`,
    confirmButton: 'Confirmer mon e-mail',
    confirmed: 'Votre e-mail est confirmé',
    confirmedText: (site: string) => `${site} vous préviendra des nouveaux commentaires comme demandé. Chaque e-mail contient un lien pour arrêter.`,
    stopTitle: 'Se désabonner',
    stopText: { c: 'Ne plus recevoir les réponses à ce commentaire.', t: 'Ne plus recevoir d’e-mails sur cette discussion.', f: 'Ne plus recevoir les commentaires signalés de ce site.', d: 'Ne plus recevoir le résumé quotidien des commentaires en attente.', w: 'Ne plus être prévenu quand un webhook de ce site est arrêté.', s: (site: string) => `Ne plus recevoir aucun e-mail de ${site}.` },
    stopButton: 'Se désabonner',
    stopped: 'Vous êtes désabonné',
    stoppedText: 'Vous ne recevrez plus ces e-mails.',
    gone: 'Ce lien ne fonctionne plus',
    goneText: 'Il a expiré ou a déjà servi.',
  },
} as const;

function page(lang: MailLang, title: string, inner: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #888;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`;
}

const form = (action: string, label: string) => `<form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(label)}</button></form>`;

export const confirmPage = (lang: MailLang, site: string, action: string) =>
  page(lang, T[lang].confirmTitle, `<p>${escapeHtml(T[lang].confirmText(site))}</p>${form(action, T[lang].confirmButton)}`);
export const confirmedPage = (lang: MailLang, site: string) => page(lang, T[lang].confirmed, `<p>${escapeHtml(T[lang].confirmedText(site))}</p>`);
export function unsubscribePage(lang: MailLang, site: string, scope: UnsubscribeScope, action: string): string {
  const text = scope === 's' ? T[lang].stopText.s(site) : T[lang].stopText[scope];
  return page(lang, T[lang].stopTitle, `<p>${escapeHtml(text)}</p>${form(action, T[lang].stopButton)}`);
}
export const unsubscribedPage = (lang: MailLang) => page(lang, T[lang].stopped, `<p>${escapeHtml(T[lang].stoppedText)}</p>`);
export const gonePage = (lang: MailLang) => page(lang, T[lang].gone, `<p>${escapeHtml(T[lang].goneText)}</p>`);
