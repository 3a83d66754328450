import fs from 'node:fs';
import path from 'node:path';
import { blockedWords } from '../../../server/moderation/pipeline/blocked-words';
import { compileWordList, fold, words } from '../../../server/moderation/pipeline/words';
import { ruleInput } from './input';

/** Genuine readers' comments: the demo thread's and the two import fixtures' (one article, three sites). */
function genuineComments(): string[] {
  const root = path.resolve(__dirname, '../../..');
  const seed = JSON.parse(fs.readFileSync(path.join(root, 'server/seed/naked-security.json'), 'utf8')) as { comments: Array<{ body: string }> };
  const cdata = (file: string, tag: string) =>
    [...fs.readFileSync(path.join(root, 'test/fixtures', file), 'utf8').matchAll(new RegExp(`<${tag}><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></${tag}>`, 'g'))].map((m) => m[1]!);
  return [...seed.comments.map((c) => c.body), ...cdata('naked-security.wxr.xml', 'wp:comment_content'), ...cdata('techspot-forum.disqus.xml', 'message')];
}

/** Numbers, units, versions and abbreviations as readers write them. */
const EVERYDAY = [
  'I paid €20,000,000 in 2023 — 3 times what they asked, 24/7, 365 days a year.',
  'Win10 on x86, IPv6, 4k video, mp3s, B2B sales, COVID-19, the 1st and 2nd of May, H2O, 5G, 3D, 90s.',
  'e.g. the U.S. and the E.U. (i.e. both) said so at 9:30 a.m.; see p. 12, §4.',
  'A, B, C or D? Option b. I think so. My 2c.',
  'Call +44 20 7946 0958 or mail me at reader@example.org!!! Great article!!!',
  'Привет из Москвы: хорошая статья. Ελληνικά επίσης. 日本語のコメントです。 مرحبا',
];

/** A moderator's list: insults and spam words none of these comments use. */
const LIST = ['frobnicate', 'grumbleweed', 'idiot', 'moron', 'scum', 'viagra', 'casino', 'loser', 'crook', 'bastard', 'shut up', 'piss off', 'go die', 'sucker', 'nazi', 'spam', 'pervert', 'tits', 'slut'];

describe('fold', () => {
  it('reads digits and symbols as letters, look-alike letters as Latin, and undoes spacing and separators', () => {
    for (const text of ['fr0bn1c4te', 'frobnic@te', 'FR0BN!CATE', 'frоbnicаte' /* Cyrillic о and а */, 'f r o b n i c a t e', 'frob-nicate', 'frob.ni.cate', 'f.r.0.b.n.1.c.a.t.e', 'ｆｒｏｂｎｉｃａｔｅ']) {
      expect([text, fold(text).text]).toEqual([text, 'frobnicate']);
    }
    expect(fold('Hello wоrld, 2020!').text).toBe('hello world 2020'); // a Cyrillic о; the number stays
  });
});

describe('a word list, against disguised spellings', () => {
  const list = compileWordList(['frobnicate', 'grumbleweed', 'go away']);

  it.each([
    ['digits for letters', 'you fr0bn1c4te'],
    ['a symbol for a letter', 'frobnic@te!'],
    ['capitals with digits, where 1 reads as l', 'GRUMB1EW33D'],
    ['Cyrillic look-alikes', 'frоbnicаte'],
    ['Greek look-alikes', 'frοbnicαte'],
    ['spaced letters', 'f r o b n i c a t e'],
    ['a hyphen inside the word', 'frob-nicate'],
    ['dots inside the word', 'f.r.o.b.n.i.c.a.t.e'],
    ['a phrase with a disguised word', 'go @way'],
    ['zero-width and full-width characters together', 'ｆｒｏｂ\u200bｎｉｃａｔｅ'],
  ])('catches %s', (_label, text) => {
    expect(list.find(text)).not.toBeNull();
  });

  it('catches an entry written in another script when it is spelt with Latin look-alikes', () => {
    expect(compileWordList(['сор']).find('a cop')).toBe('сор'); // Cyrillic с, о, р
    expect(compileWordList(['сор']).find('сор')).toBe('сор');
  });

  it('catches nothing in genuine comments and everyday numbers and abbreviations', () => {
    const comments = [...genuineComments(), ...EVERYDAY];
    expect(comments.length).toBeGreaterThan(90);
    const matcher = compileWordList(LIST);
    // The list is fair: none of its entries is written plainly in these comments.
    expect(comments.filter((c) => LIST.some((e) => ` ${words(c).join(' ')} `.includes(` ${words(e).join(' ')} `)))).toEqual([]);
    expect(comments.map((c) => [c.slice(0, 60), matcher.find(c)]).filter(([, found]) => found !== null)).toEqual([]);
  });

  it('rejects a disguised blocked word in a posted comment, as the rule reads it', () => {
    const settings = { blockedWords: ['frobnicate'] };
    expect(blockedWords.run(ruleInput('you are a **fr0b**n1c@te', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('you are a f r o b n i c a t e', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('I paid 2020 dollars for 3 tickets', { settings }))).toBeUndefined();
  });
});
