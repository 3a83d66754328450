import TurndownService from 'turndown';
import { z } from 'zod';
import { plainText, renderBody } from '../comments/comment.render';
import { stripFormatCharacters } from '../text';
import { WebsiteSchema } from '../website';

/**
 * Turning other systems' comment markup into Parley's: HTML becomes Markdown source (what Parley
 * stores and lets an author edit), and that source goes through the same renderer and sanitiser as
 * a reader's post. Nothing from the file reaches a page without passing through renderBody().
 */

/** Longer sources than this are reported and skipped: ten times the largest body a site may allow. */
export const MAX_BODY_SOURCE = 500_000;

const turndown = new TurndownService({ headingStyle: 'atx', emDelimiter: '_', strongDelimiter: '**', bulletListMarker: '-' });
// Executable or embedded content has no text a reader wrote.
turndown.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'head', 'title']);
turndown.remove((node) => ['SVG', 'MATH'].includes(node.nodeName.toUpperCase()));
// Parley's Markdown has no headings, lists, images or code blocks: keep their words in forms it shows.
turndown.addRule('heading-as-strong', {
  filter: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  replacement: (content) => (content.trim() ? `\n\n**${content.trim()}**\n\n` : ''),
});
turndown.addRule('image-as-link', {
  filter: 'img',
  replacement: (_content, node) => {
    const el = node as HTMLElement;
    const alt = (el.getAttribute('alt') ?? '').trim();
    const src = (el.getAttribute('src') ?? '').trim();
    if (/^https?:\/\//i.test(src)) return `[${turndown.escape(alt || 'image')}](${src.replace(/[()\s]/g, encodeURIComponent)})`;
    return alt ? turndown.escape(alt) : '';
  },
});
turndown.addRule('pre-as-code-lines', {
  filter: 'pre',
  replacement: (_content, node) => {
    const lines = (node.textContent ?? '').replace(/\n+$/, '').split('\n');
    return `\n\n${lines.map((l) => (l.trim() ? '`' + l.replace(/`/g, "'") + '`' : '')).join('\n')}\n\n`;
  },
});
// A link Parley would not render (javascript:, data:, relative) keeps its words, not its target.
turndown.addRule('safe-links', {
  filter: (node) => node.nodeName === 'A' && !/^(https?:\/\/|mailto:)/i.test((node.getAttribute('href') ?? '').trim()),
  replacement: (content) => content,
});
turndown.addRule('hr-as-break', { filter: 'hr', replacement: () => '\n\n' });

/**
 * WordPress stores comments as text with a little HTML and shows blank lines as paragraphs and
 * single newlines as line breaks (wpautop). Make that explicit before reading it as HTML, where
 * newlines would otherwise collapse into spaces.
 */
export function autoParagraphs(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (!normalised) return '';
  return normalised
    .split(/\n\s*\n/)
    .map((para) => `<p>${para.replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

export type Body = { ok: true; source: string; html: string } | { ok: false; reason: string };

export function convertBody(html: string): Body {
  const source = turndown
    .turndown(html)
    .replace(/\u0000/g, '')
    // Removed elements leave runs of spaces; line breaks need none (the renderer breaks on newlines).
    .replace(/[ \t]+\n/g, '\n')
    .replace(/ {2,}/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (source.length > MAX_BODY_SOURCE) {
    return { ok: false, reason: `the comment is too long (${source.length} characters; at most ${MAX_BODY_SOURCE} are imported)` };
  }
  return { ok: true, source, html: renderBody(source) };
}

/** One line of plain text: entities decoded, tags and control characters gone. */
export function cleanLine(raw: string | undefined, max: number): string | null {
  if (!raw) return null;
  const text = stripFormatCharacters(plainText(raw))
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? text.slice(0, max) : null;
}

/** A display name, as long as a reader's own may be. */
export const cleanName = (raw: string | undefined) => cleanLine(raw, 80);

const EmailSchema = z.email().max(254);

export function cleanEmail(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  return EmailSchema.safeParse(value).success ? value : null;
}

/** Only addresses a reader could give as their own website survive, serialised the same way. */
export function cleanWebsite(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  const parsed = WebsiteSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The address a thread is known by: absolute http(s), without its fragment. */
export function canonicalUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.toString();
  } catch {
    return null;
  }
}

/** `YYYY-MM-DD HH:MM:SS`, as WordPress writes dates; read as UTC. */
export function parseSqlDate(raw: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(raw?.trim() ?? '');
  if (!m || m[1] === '0000') return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) || date.getUTCMonth() !== +m[2] - 1 ? null : date;
}

/** ISO 8601 with a zone (Disqus); a date without one is read as UTC. */
export function parseIsoDate(raw: string | undefined): Date | null {
  const value = raw?.trim();
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const date = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}
