import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Comment bodies: a small Markdown subset rendered with raw HTML off, then sanitised. The sanitiser
 * is the real guarantee; Markdown settings only keep the output small and predictable.
 */
const md = MarkdownIt('zero', { html: false, linkify: true, breaks: true }).enable([
  'paragraph',
  'newline',
  'emphasis',
  'link',
  'autolink',
  'linkify',
  'backticks',
  'blockquote',
  'escape',
  'entity',
  'text_join',
]);

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'a', 'code', 'blockquote'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      // Only absolute http(s) and mailto links survive; a relative one would point into the host page.
      attribs: {
        ...(attribs.href && /^(https?:\/\/|mailto:)/i.test(attribs.href) ? { href: attribs.href } : {}),
        rel: 'nofollow ugc noopener',
      },
    }),
  },
};

export function renderBody(source: string): string {
  return sanitizeHtml(md.render(source), SANITIZE).trim();
}

/** Links in the rendered body, for the site's link limit. */
export function countLinks(html: string): number {
  return (html.match(/<a\s/g) ?? []).length;
}

/** Plain text of a rendered body: what word lists and duplicate checks look at. */
export function plainText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}
