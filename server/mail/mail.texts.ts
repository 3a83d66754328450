/**
 * The words of readers' mails, in English and French (the reader's language when they subscribed).
 * Each mail is plain text and HTML; no mail names another reader's email (only public names).
 */
export type MailLang = 'en' | 'fr';

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export interface ReplyItem {
  author: string;
  excerpt: string;
  link: string;
}

const T = {
  en: {
    confirmSubject: (site: string) => `Confirm your email for comments on ${site}`,
    confirmIntro: (site: string) => `Someone — we hope you — asked to be told by email about new comments on ${site}.`,
    confirmAction: 'Confirm this address (the link works for 24 hours):',
    confirmButton: 'Confirm my email',
    ignore: 'If it was not you, ignore this message: nothing more will be sent to you.',
    repliesSubject: (n: number, title: string) => (n === 1 ? `A new reply on “${title}”` : `${n} new replies on “${title}”`),
    repliesIntro: (title: string) => `New since our last mail, on “${title}”:`,
    approvedSubject: (title: string) => `Your comment on “${title}” is published`,
    approvedIntro: (title: string) => `A moderator approved your comment on “${title}”. It is now visible to everyone:`,
    read: 'Read it',
    footer: (site: string) => `You receive this because you asked ${site} to tell you of new comments.`,
    stop: 'Stop these emails:',
    anonymous: 'Anonymous',
  },
  fr: {
    confirmSubject: (site: string) => `Confirmez votre e-mail pour les commentaires de ${site}`,
    confirmIntro: (site: string) => `Quelqu’un — vous, nous l’espérons — a demandé à être prévenu par e-mail des nouveaux commentaires sur ${site}.`,
    confirmAction: 'Confirmez cette adresse (le lien fonctionne 24 heures) :',
    confirmButton: 'Confirmer mon e-mail',
    ignore: 'Si ce n’était pas vous, ignorez ce message : rien d’autre ne vous sera envoyé.',
    repliesSubject: (n: number, title: string) => (n === 1 ? `Une nouvelle réponse sur « ${title} »` : `${n} nouvelles réponses sur « ${title} »`),
    repliesIntro: (title: string) => `Nouveau depuis notre dernier message, sur « ${title} » :`,
    approvedSubject: (title: string) => `Votre commentaire sur « ${title} » est publié`,
    approvedIntro: (title: string) => `Un modérateur a approuvé votre commentaire sur « ${title} ». Il est maintenant visible par tous :`,
    read: 'Le lire',
    footer: (site: string) => `Vous recevez ceci parce que vous avez demandé à ${site} de vous prévenir des nouveaux commentaires.`,
    stop: 'Ne plus recevoir ces e-mails :',
    anonymous: 'Anonyme',
  },
} as const;

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function html(lang: MailLang, inner: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"></head><body style="font:15px/1.5 system-ui,sans-serif;color:#222;max-width:36rem">${inner}</body></html>`;
}

const footerText = (lang: MailLang, site: string, stopUrl: string) => ['', '--', T[lang].footer(site), `${T[lang].stop} ${stopUrl}`, ''];
const footerHtml = (lang: MailLang, site: string, stopUrl: string) =>
  `<hr><p style="color:#666;font-size:13px">${escapeHtml(T[lang].footer(site))} <a href="${escapeHtml(stopUrl)}">${escapeHtml(T[lang].stop.replace(/ ?:$/, ''))}</a></p>`;

export function confirmMail(lang: MailLang, site: string, link: string, stopUrl: string): Rendered {
  const t = T[lang];
  return {
    subject: t.confirmSubject(site),
    text: [t.confirmIntro(site), '', t.confirmAction, link, '', t.ignore, ...footerText(lang, site, stopUrl)].join('\n'),
    html: html(
      lang,
      `<p>${escapeHtml(t.confirmIntro(site))}</p><p>${escapeHtml(t.confirmAction)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(t.confirmButton)}</a></p><p>${escapeHtml(t.ignore)}</p>${footerHtml(lang, site, stopUrl)}`,
    ),
  };
}

export function repliesMail(lang: MailLang, site: string, title: string, items: ReplyItem[], stopUrl: string): Rendered {
  const t = T[lang];
  const name = (i: ReplyItem) => i.author || t.anonymous;
  return {
    subject: t.repliesSubject(items.length, title),
    text: [t.repliesIntro(title), '', ...items.flatMap((i) => [`${name(i)}: ${i.excerpt}`, i.link, '']), ...footerText(lang, site, stopUrl)].join('\n'),
    html: html(
      lang,
      `<p>${escapeHtml(t.repliesIntro(title))}</p><ul>${items
        .map((i) => `<li><strong>${escapeHtml(name(i))}</strong>: ${escapeHtml(i.excerpt)} <a href="${escapeHtml(i.link)}">${escapeHtml(t.read)}</a></li>`)
        .join('')}</ul>${footerHtml(lang, site, stopUrl)}`,
    ),
  };
}

export function approvedMail(lang: MailLang, site: string, title: string, item: ReplyItem, stopUrl: string): Rendered {
  const t = T[lang];
  return {
    subject: t.approvedSubject(title),
    text: [t.approvedIntro(title), '', item.excerpt, item.link, ...footerText(lang, site, stopUrl)].join('\n'),
    html: html(
      lang,
      `<p>${escapeHtml(t.approvedIntro(title))}</p><blockquote>${escapeHtml(item.excerpt)}</blockquote><p><a href="${escapeHtml(item.link)}">${escapeHtml(t.read)}</a></p>${footerHtml(lang, site, stopUrl)}`,
    ),
  };
}

/** A comment's text for a mail: its source, on one line, cut at 200 characters. */
export function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
