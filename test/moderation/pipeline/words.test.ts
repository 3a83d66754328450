import { compileWordList, normalise } from '../../../server/moderation/pipeline/words';
import { blockedWords } from '../../../server/moderation/pipeline/blocked-words';
import { ruleInput } from './input';

describe('normalise', () => {
  it('folds case, compatibility forms, accents, invisible characters and markup', () => {
    expect(normalise('HALFWAY')).toBe('halfway');
    expect(normalise('ﬁne')).toBe('fine'); // ligature
    expect(normalise('ＨＡＬＦ')).toBe('half'); // full-width
    expect(normalise('𝐡𝐚𝐥𝐟')).toBe('half'); // mathematical bold
    expect(normalise('half\u200bway')).toBe('halfway'); // zero-width space
    expect(normalise('half\u200dway')).toBe('halfway'); // zero-width joiner
    expect(normalise('half\u00adway')).toBe('halfway'); // soft hyphen
    expect(normalise('half\u202eway')).toBe('halfway'); // bidi override
    expect(normalise('<b>half</b>way')).toBe('halfway');
    expect(normalise('hálfwäy')).toBe('halfway');
  });
});

describe('a word list', () => {
  const list = compileWordList(['halfway', 'fine print', 'Crème Brûlée']);

  it.each([
    ['plain', 'we met halfway'],
    ['upper case', 'We met HALFWAY!'],
    ['markup written into the comment', 'we met <b>half</b>way'],
    ['a tag-like wrapper', 'we met <halfway>'],
    ['a ligature', 'read the ﬁne print'],
    ['zero-width joiners', 'half\u200dway there'],
    ['zero-width spaces', 'h\u200ba\u200bl\u200bf\u200bw\u200ba\u200by'],
    ['full-width letters', 'ｈａｌｆｗａｙ'],
    ['accents added or removed', 'creme brulee for dessert'],
    ['a phrase across line breaks', 'the fine\nprint'],
  ])('catches %s', (_label, text) => {
    expect(list.find(text)).not.toBeNull();
  });

  it.each([
    ['a longer word that contains it', 'halfways'],
    ['a different phrase', 'fine prints'],
    ['the parts apart', 'half of the way'],
  ])('leaves alone %s', (_label, text) => {
    expect(list.find(text)).toBeNull();
  });

  it('names the entry as the moderator wrote it', () => {
    expect(list.find('CRÈME BRÛLÉE')).toBe('Crème Brûlée');
  });

  it('ignores entries with no letters and an empty list', () => {
    expect(compileWordList(['!!!', '   ']).find('!!! anything')).toBeNull();
    expect(compileWordList([]).find('anything')).toBeNull();
  });
});

describe('pathological input', () => {
  it('matches a 1000-entry list of 20-word phrases against a 50,000-character body quickly', () => {
    const list = Array.from({ length: 1000 }, (_, i) => `${'a '.repeat(19)}x${i}`);
    const body = 'a '.repeat(25_000);
    const t = performance.now();
    const matcher = compileWordList(list);
    expect(matcher.find(body)).toBeNull();
    expect(matcher.find(`${body}a x999`)).toBe(list[999]);
    expect(performance.now() - t).toBeLessThan(1500);
  });

  it('handles a body of angle brackets and combining marks without stalling', () => {
    const matcher = compileWordList(['spam']);
    const t = performance.now();
    expect(matcher.find('<'.repeat(50_000))).toBeNull();
    expect(matcher.find(`<${'a'.repeat(50_000)}`)).toBeNull();
    expect(matcher.find(`s${'\u0301'.repeat(50_000)}pam`)).toBe('spam');
    expect(matcher.find('\uFDFA'.repeat(20_000))).toBeNull(); // expands 18-fold under NFKC
    expect(performance.now() - t).toBeLessThan(1500);
  });
});

describe('through the rendered body', () => {
  it('sees what readers see: Markdown and entities rendered, the text then normalised', () => {
    const settings = { blockedWords: ['halfway'] };
    expect(blockedWords.run(ruleInput('meet me **half**way', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me <b>half</b>way', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me half&#8203;way', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me half&shy;way', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me half*way*', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me `half`way', { settings }))).toMatchObject({ status: 'rejected' });
    expect(blockedWords.run(ruleInput('meet me in the middle', { settings }))).toBeUndefined();
  });
});
