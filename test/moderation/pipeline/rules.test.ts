import { AppError } from '../../../server/errors';
import { RULES, runPipeline } from '../../../server/moderation/pipeline';
import { banned } from '../../../server/moderation/pipeline/banned';
import { blockedWords } from '../../../server/moderation/pipeline/blocked-words';
import { heldWords } from '../../../server/moderation/pipeline/held-words';
import { linksAllowed } from '../../../server/moderation/pipeline/links-allowed';
import { ruleInput } from './input';

describe('banned', () => {
  it('passes a commenter who is not banned', () => {
    expect(banned.run(ruleInput('hello'))).toBeUndefined();
  });

  it('refuses a banned commenter for ever with 403 banned', () => {
    const outcome = banned.run(ruleInput('hello', { author: { banned: true } }));
    expect(outcome && 'refuse' in outcome).toBe(true);
    const err = (outcome as { refuse: AppError }).refuse;
    expect(err).toMatchObject({ kind: 'forbidden', code: 'banned', message: 'You can no longer comment on this site.' });
  });

  it('says until when a timed ban lasts', () => {
    const until = new Date('2031-05-04T10:30:00Z');
    const outcome = banned.run(ruleInput('hello', { author: { banned: true, bannedUntil: until } })) as { refuse: AppError };
    expect(outcome.refuse.message).toBe('You cannot comment on this site until 2031-05-04 10:30 UTC.');
    expect(outcome.refuse.details[0]).toMatchObject({ until: until.toISOString() });
  });
});

describe('links allowed', () => {
  it('holds a comment with a link in a thread where staff switched links off, but not a trusted reader’s', () => {
    const off = { thread: { links_allowed: false } };
    expect(linksAllowed.run(ruleInput('See [this](https://example.com)', off))).toEqual({ status: 'pending', reason: 'links are not allowed in this thread' });
    expect(linksAllowed.run(ruleInput('No link at all', off))).toBeUndefined();
    expect(linksAllowed.run(ruleInput('See https://example.com', { ...off, author: { trusted: true } }))).toBeUndefined();
    expect(linksAllowed.run(ruleInput('See https://example.com'))).toBeUndefined();
  });
});

describe('blocked words', () => {
  it('rejects a comment containing a blocked word, saying which in the reason', () => {
    expect(blockedWords.run(ruleInput('Clearview are CROOKS', { settings: { blockedWords: ['crooks'] } }))).toEqual({
      status: 'rejected',
      reason: 'blocked word: crooks',
    });
  });

  it('passes a comment without one, and any comment when the list is empty', () => {
    expect(blockedWords.run(ruleInput('Clearview are crooked', { settings: { blockedWords: ['crooks'] } }))).toBeUndefined();
    expect(blockedWords.run(ruleInput('Clearview are crooks'))).toBeUndefined();
  });
});

describe('held words', () => {
  it('holds a comment containing a held phrase for a person to look at', () => {
    expect(heldWords.run(ruleInput('That is a class action waiting to happen', { settings: { heldWords: ['class action'] } }))).toEqual({
      status: 'pending',
      reason: 'held word: class action',
    });
  });

  it('passes a comment without one', () => {
    expect(heldWords.run(ruleInput('That is a class act', { settings: { heldWords: ['class action'] } }))).toBeUndefined();
  });
});

describe('the order of the rules', () => {
  const settings = { blockedWords: ['crooks'], heldWords: ['lawsuit'], moderation: 'pre' as const };

  it('refuses a closed thread before anything, then a ban', () => {
    expect(() => runPipeline(ruleInput('crooks', { settings, thread: { state: 'closed' }, author: { banned: true } }))).toThrow(
      expect.objectContaining({ code: 'thread_closed' }),
    );
    expect(() => runPipeline(ruleInput('crooks', { settings, author: { banned: true } }))).toThrow(expect.objectContaining({ code: 'banned' }));
  });

  it('lets members through approved, then rejects before it holds', () => {
    expect(runPipeline(ruleInput('crooks and a lawsuit', { settings, author: { isMember: true } }))).toMatchObject({ status: 'approved', rule: 'member' });
    expect(runPipeline(ruleInput('crooks and a lawsuit', { settings }))).toMatchObject({ status: 'rejected', rule: 'blocked_words' });
    expect(runPipeline(ruleInput('a lawsuit', { settings }))).toMatchObject({ status: 'pending', rule: 'held_words' });
    expect(runPipeline(ruleInput('fine', { settings }))).toMatchObject({ status: 'pending', rule: 'moderation_mode' });
    expect(runPipeline(ruleInput('fine'))).toMatchObject({ status: 'approved', rule: null });
  });

  describe('with a risk score (the most severe decision wins)', () => {
    const withRisk = (body: string, score: number, options: Parameters<typeof ruleInput>[1] = {}) => ({
      ...ruleInput(body, { ...options, settings: { ...settings, moderation: 'post' as const, ...options.settings } }),
      risk: { score, reasons: [{ code: 'classifier', weight: score, detail: 'reads like spam' }] },
    });

    it('still rejects a blocked word when the risk only holds it', () => {
      expect(runPipeline(withRisk('crooks, all of them', 0.7))).toMatchObject({ status: 'rejected', rule: 'blocked_words', reason: 'blocked word: crooks' });
    });

    it('sends a risk above the spam threshold to spam, blocked word or not', () => {
      expect(runPipeline(withRisk('crooks, all of them', 0.95))).toMatchObject({ status: 'spam', rule: 'risk' });
      expect(runPipeline(withRisk('fine', 0.95))).toMatchObject({ status: 'spam', rule: 'risk' });
    });

    it('holds for the risk, reported before a held word or the moderation mode', () => {
      expect(runPipeline(withRisk('a lawsuit', 0.7))).toMatchObject({ status: 'pending', rule: 'risk' });
      expect(runPipeline(withRisk('fine', 0.7, { settings: { moderation: 'pre' } }))).toMatchObject({ status: 'pending', rule: 'risk' });
      expect(runPipeline(withRisk('fine', 0.2))).toMatchObject({ status: 'approved', rule: null });
    });

    it('lets trust skip first-time and link holds, never a risk above the spam threshold or a hold for risk', () => {
      const links = 'see [a](https://a.example) [b](https://b.example) [c](https://c.example) [d](https://d.example)';
      const newcomer = { settings: { moderation: 'first_time' as const, maxLinks: 2 }, author: { approvedCount: 0 } };
      expect(runPipeline(withRisk(links, 0.1, newcomer))).toMatchObject({ status: 'pending', rule: 'link_limit' });
      expect(runPipeline(withRisk('fine', 0.1, newcomer))).toMatchObject({ status: 'pending', rule: 'moderation_mode' });
      const trusted = { ...newcomer, author: { approvedCount: 0, trusted: true } };
      expect(runPipeline(withRisk(links, 0.1, trusted))).toMatchObject({ status: 'approved' });
      expect(runPipeline(withRisk(links, 0.7, trusted))).toMatchObject({ status: 'pending', rule: 'risk' });
      expect(runPipeline(withRisk(links, 0.95, trusted))).toMatchObject({ status: 'spam', rule: 'risk' });
    });
  });

  it('lists the rules in the specification order', () => {
    expect(RULES.map((r) => r.name)).toEqual([
      'closed_thread',
      'banned',
      'member',
      'honeypot',
      'form_too_fast',
      'risk',
      'blocked_words',
      'held_words',
      'links_allowed',
      'link_limit',
      'moderation_mode',
    ]);
  });
});
