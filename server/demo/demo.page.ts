import { DEMO_SITE_ID, DEMO_THREAD_KEY, demoArticle, demoPoll } from '../seed/demo';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface DemoOptions {
  lang: 'en' | 'fr';
  theme: 'auto' | 'light' | 'dark';
  /** /demo/sso: a button that signs the visitor in as a subscriber of the demo site. */
  signIn: boolean;
}

const LINKS: { label: string; query: string; is: (o: DemoOptions) => boolean }[] = [
  { label: 'English', query: 'lang=en', is: (o) => o.lang === 'en' },
  { label: 'Français', query: 'lang=fr', is: (o) => o.lang === 'fr' },
  { label: 'Auto', query: 'theme=auto', is: (o) => o.theme === 'auto' },
  { label: 'Light', query: 'theme=light', is: (o) => o.theme === 'light' },
  { label: 'Dark', query: 'theme=dark', is: (o) => o.theme === 'dark' },
];

function switcher(options: DemoOptions): string {
  const href = (query: string) => {
    const params = new URLSearchParams({ lang: options.lang, theme: options.theme });
    const [key, value] = query.split('=') as [string, string];
    params.set(key, value);
    return `/demo?${params}`;
  };
  const link = (l: (typeof LINKS)[number]) =>
    `<a href="${esc(href(l.query))}"${l.is(options) ? ' aria-current="true"' : ''}>${esc(l.label)}</a>`;
  return `<nav class="switch" aria-label="Widget options"><span>Language</span>${LINKS.slice(0, 2).map(link).join('')}<span>Theme</span>${LINKS.slice(2).map(link).join('')}</nav>`;
}

/**
 * The demo: the seed article as a publisher would publish it, with the widget under it and the
 * comment count in its header — using exactly the two script tags a publisher copies.
 */
export function demoPage(options: DemoOptions): string {
  const published = new Date(demoArticle.publishedAt);
  const date = published.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const paragraphs = demoArticle.summary.map((p) => `<p>${esc(p)}</p>`).join('\n      ');
  return `<!doctype html>
<html lang="${options.lang}" data-theme="${options.theme}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(demoArticle.title)} · Parley demo</title>
  <link rel="stylesheet" href="/demo/demo.css">
</head>
<body>
  <div class="banner">
    <p><strong>Parley demo.</strong> A real article with its readers’ comments, served by this Parley. Post, reply, quote: it is all live.</p>${
      options.signIn
        ? `\n    <p>Readers can also comment under the publisher’s own accounts. <button type="button" id="demo-sign-in">Sign in as a subscriber</button></p>`
        : ''
    }
    ${switcher(options)}
  </div>
  <header class="masthead"><div class="wrap"><a class="brand" href="/demo">Naked&nbsp;Security</a><span class="tag">Privacy · Law &amp; order</span></div></header>
  <main class="wrap">
    <article>
      <h1>${esc(demoArticle.title)}</h1>
      <p class="byline"><time datetime="${esc(demoArticle.publishedAt)}">${esc(date)}</time> · <a href="#comments"><span data-parley-count data-site="${DEMO_SITE_ID}" data-key="${esc(DEMO_THREAD_KEY)}">Comments</span></a></p>
      ${paragraphs}
      <p class="question">${esc(demoPoll.question)}</p>
      <p class="source">First published on <a href="${esc(demoArticle.url)}" rel="noopener">Naked Security</a>; reproduced here to show Parley at work.</p>
    </article>
    <section id="comments" class="comments">
      <div data-parley data-site="${DEMO_SITE_ID}" data-key="${esc(DEMO_THREAD_KEY)}" data-url="${esc(demoArticle.url)}" data-theme="${options.theme}"></div>
    </section>
  </main>
  <footer class="wrap foot"><p>Comments by Parley: no cookies, no trackers, nothing loaded from anyone else.</p></footer>
  <script src="/embed.js" async></script>
  <script src="/count.js" async></script>${options.signIn ? '\n  <script src="/demo/sso.js" async></script>' : ''}
</body>
</html>
`;
}
