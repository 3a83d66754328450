import type { Rule } from './types';

/**
 * The form's hidden `hp` field: people never see it, naive bots fill every field they find. Only new
 * comments carry the form; an edit has no honeypot to check.
 */
export const honeypot: Rule = {
  name: 'honeypot',
  run: ({ form, isEdit }) =>
    !isEdit && form.honeypot !== undefined && form.honeypot.trim() !== ''
      ? { status: 'spam', reason: 'honeypot field filled' }
      : undefined,
};
