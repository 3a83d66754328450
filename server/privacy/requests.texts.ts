import type { MailMessage } from '../mail/mailer';

/** The words of lost-token requests: the mail and the small confirmation pages, in each language. */
export type Lang = 'en' | 'fr';

const TEXT = {
  en: {
    subject: { export: 'Download your comment data from %s', erase: 'Erase your comment data from %s' },
    body: {
      export: 'Someone — we hope you — asked to download the comment data %s holds under this email address.',
      erase: 'Someone — we hope you — asked to erase the comment data %s holds under this email address.',
    },
    open: 'Open this link to confirm (it works once, until %s):',
    ignore: 'If you did not ask, ignore this message: nothing happens without the link.',
    pageTitle: { export: 'Download your data', erase: 'Erase your data' },
    pageText: {
      export: 'This downloads one file with everything %s holds about the commenter identities that used your email address.',
      erase:
        'This erases at once everything %s holds about the commenter identities that used your email address: your comments become “deleted” placeholders, and your name, texts and email are gone. It cannot be undone.',
    },
    button: { export: 'Download my data', erase: 'Erase my data' },
    erased: 'Your data has been erased.',
    erasedText: 'Nothing %s held under your email address remains.',
    gone: 'This link no longer works',
    goneText: 'It has expired or was already used. You can ask for a new one where you comment.',
  },
  fr: {
    subject: { export: 'Télécharger vos données de commentaires sur %s', erase: 'Effacer vos données de commentaires sur %s' },
    body: {
      export: 'Quelqu’un — vous, nous l’espérons — a demandé à télécharger les données de commentaires que %s garde sous cette adresse e-mail.',
      erase: 'Quelqu’un — vous, nous l’espérons — a demandé à effacer les données de commentaires que %s garde sous cette adresse e-mail.',
    },
    open: 'Ouvrez ce lien pour confirmer (il ne sert qu’une fois, jusqu’au %s) :',
    ignore: 'Si vous n’avez rien demandé, ignorez ce message : rien ne se passe sans le lien.',
    pageTitle: { export: 'Télécharger vos données', erase: 'Effacer vos données' },
    pageText: {
      export: 'Ceci télécharge un fichier avec tout ce que %s garde sur les identités de commentateur qui ont utilisé votre adresse e-mail.',
      erase:
        'Ceci efface immédiatement tout ce que %s garde sur les identités de commentateur qui ont utilisé votre adresse e-mail : vos commentaires deviennent des emplacements « supprimés », votre nom, vos textes et votre e-mail disparaissent. C’est irréversible.',
    },
    button: { export: 'Télécharger mes données', erase: 'Effacer mes données' },
    erased: 'Vos données ont été effacées.',
    erasedText: 'Il ne reste rien de ce que %s gardait sous votre adresse e-mail.',
    gone: 'Ce lien ne fonctionne plus',
    goneText: 'Il a expiré ou a déjà servi. Vous pouvez en demander un nouveau là où vous commentez.',
  },
} as const;

const fill = (template: string, value: string) => template.replace('%s', value);

export function linkMail(lang: Lang, kind: 'export' | 'erase', siteName: string, to: string, link: string, expiresAt: Date): MailMessage {
  const t = TEXT[lang];
  const until = expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return {
    to,
    subject: fill(t.subject[kind], siteName),
    text: [fill(t.body[kind], siteName), '', fill(t.open, until), link, '', t.ignore, ''].join('\n'),
  };
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(lang: Lang, title: string, inner: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #888;cursor:pointer}
.erase button{background:#b00020;color:#fff;border-color:#b00020}</style></head>
<body>${inner}</body></html>`;
}

/** The page a mailed link opens: nothing happens until the button is pressed (mail scanners follow links). */
export function confirmPage(lang: Lang, kind: 'export' | 'erase', siteName: string, action: string): string {
  const t = TEXT[lang];
  return page(
    lang,
    t.pageTitle[kind],
    `<h1>${escape(t.pageTitle[kind])}</h1><p>${escape(fill(t.pageText[kind], siteName))}</p>
<form method="post" action="${escape(action)}" class="${kind}"><button type="submit">${escape(t.button[kind])}</button></form>`,
  );
}

export function erasedPage(lang: Lang, siteName: string): string {
  const t = TEXT[lang];
  return page(lang, t.erased, `<h1>${escape(t.erased)}</h1><p>${escape(fill(t.erasedText, siteName))}</p>`);
}

export function gonePage(lang: Lang): string {
  const t = TEXT[lang];
  return page(lang, t.gone, `<h1>${escape(t.gone)}</h1><p>${escape(t.goneText)}</p>`);
}
