import type { Thread } from '../../db/schema';
import { AppError } from '../../server/errors';
import { RULES, runPipeline, type RuleInput } from '../../server/moderation/pipeline';
import { formTooFast, MIN_FILL_MS } from '../../server/moderation/pipeline/form-too-fast';
import { honeypot } from '../../server/moderation/pipeline/honeypot';
import { SiteSettingsSchema } from '../../server/sites/site.schema';

/** A comment as the rules see it; each test changes only what it is about. */
function input(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    site: {
      id: 'daily',
      name: 'The Daily Example',
      origins: [],
      settings: SiteSettingsSchema.parse({}),
      created_at: new Date(),
      updated_at: new Date(),
      queue_version: '0',
      webhook_endpoints: 0,
    },
    thread: { id: 't', site_id: 'daily', key: 'k', url: null, title: null, state: 'open', mode: null, comment_count: 0, seq: 0, created_at: new Date(), last_comment_at: null } as Thread,
    body: { source: 'hello', html: '<p>hello</p>', text: 'hello', links: 0 },
    author: { isMember: false, approvedCount: 3, banned: false },
    form: {},
    isEdit: false,
    ...overrides,
  };
}

describe('the honeypot rule', () => {
  it('marks a filled honeypot as spam', () => {
    expect(honeypot.run(input({ form: { honeypot: 'http://cheap.example' } }))).toEqual({ status: 'spam', reason: expect.any(String) });
  });
  it('passes an empty or blank honeypot, or none', () => {
    expect(honeypot.run(input({ form: { honeypot: '' } }))).toBeUndefined();
    expect(honeypot.run(input({ form: { honeypot: '   ' } }))).toBeUndefined();
    expect(honeypot.run(input())).toBeUndefined();
  });
  it('does not judge edits, which carry no form', () => {
    expect(honeypot.run(input({ form: { honeypot: 'x' }, isEdit: true }))).toBeUndefined();
  });
});

describe('the minimum fill time rule', () => {
  it('marks a form sent faster than a person could as spam', () => {
    expect(formTooFast.run(input({ form: { elapsedMs: 0 } }))).toMatchObject({ status: 'spam' });
    expect(formTooFast.run(input({ form: { elapsedMs: MIN_FILL_MS - 1 } }))).toEqual({ status: 'spam', reason: expect.stringContaining('ms') });
  });
  it('passes a human pace, and a client that does not measure', () => {
    expect(formTooFast.run(input({ form: { elapsedMs: MIN_FILL_MS } }))).toBeUndefined();
    expect(formTooFast.run(input({ form: { elapsedMs: 90_000 } }))).toBeUndefined();
    expect(formTooFast.run(input())).toBeUndefined();
    expect(formTooFast.run(input({ form: { elapsedMs: 10 }, isEdit: true }))).toBeUndefined();
  });
});

describe('the pipeline order', () => {
  it('follows the specification: refusals, then spam, then holds', () => {
    const names = RULES.map((r) => r.name);
    expect(names.indexOf('closed_thread')).toBeLessThan(names.indexOf('honeypot'));
    expect(names.indexOf('honeypot')).toBeLessThan(names.indexOf('form_too_fast'));
    expect(names.indexOf('form_too_fast')).toBeLessThan(names.indexOf('link_limit'));
    expect(names.indexOf('link_limit')).toBeLessThan(names.indexOf('moderation_mode'));
  });

  it('refuses a closed thread before looking for spam', () => {
    const closed = input({ thread: { ...input().thread, state: 'closed' }, form: { honeypot: 'x' } });
    expect(() => runPipeline(closed)).toThrow(AppError);
  });

  it('files a bot as spam even where everything is held for moderation', () => {
    const pre = input({ thread: { ...input().thread, mode: 'pre' }, form: { elapsedMs: 100 } });
    expect(runPipeline(pre)).toMatchObject({ status: 'spam', rule: 'form_too_fast' });
    expect(runPipeline(input({ thread: { ...input().thread, mode: 'pre' } }))).toMatchObject({ status: 'pending', rule: 'moderation_mode' });
    expect(runPipeline(input())).toMatchObject({ status: 'approved', rule: null });
  });
});
