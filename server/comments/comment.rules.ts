import { errors } from '../errors';
import { sha256 } from '../ids';
import type { SiteWithSettings } from '../sites/site.service';
import { countLinks, plainText, renderBody } from './comment.render';

/** A body as stored: newlines normalised, outer whitespace trimmed. */
export function normaliseSource(body: string): string {
  return body.replace(/\r\n?/g, '\n').trim();
}

/**
 * The duplicate check's view of a text: case, spacing and markup do not make it new. `text` is
 * `plainText(html)`, passed when the caller has it already.
 */
export function textHash(html: string, text = plainText(html)): string {
  const words = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return sha256(words, 'base64url');
}

/** A body as the moderation rules and the duplicate check read it, rendered once. */
export interface RenderedBody {
  source: string;
  html: string;
  text: string;
  links: number;
  hash: string;
}

/** Renders a normalised source (see normaliseSource); posts and edits alike. */
export function renderedBody(source: string): RenderedBody {
  const html = renderBody(source);
  const text = plainText(html);
  return { source, html, text, links: countLinks(html), hash: textHash(html, text) };
}

export function bodyTooLong(source: string, site: SiteWithSettings) {
  return source.length > site.settings.maxBodyLength
    ? { path: 'body', message: `must be at most ${site.settings.maxBodyLength} characters` }
    : null;
}

export const duplicateError = () =>
  errors.conflict('duplicate_comment', 'You already posted this comment in this thread.');
