import type { Rule } from './types';

/** Nobody reads an article's form, types a comment and sends it in under two seconds. */
export const MIN_FILL_MS = 2000;

/**
 * `elapsedMs` is how long the widget's form was open. A client that does not send it is not
 * judged (API callers, older widgets); one that reports an inhuman speed is a bot.
 */
export const formTooFast: Rule = {
  name: 'form_too_fast',
  run: ({ form, isEdit }) =>
    !isEdit && form.elapsedMs !== undefined && form.elapsedMs < MIN_FILL_MS
      ? { status: 'spam', reason: `form sent ${form.elapsedMs} ms after it opened` }
      : undefined,
};
