import type { Rule } from './types';

/**
 * The abuse signals' risk (SPEC §11), against the site's thresholds. Runs after the refusals and the
 * honeypot/too-fast rule and before the word lists and the moderation mode (SPEC §13). Trust never
 * lowers a risk: a trusted reader above `spamAt` goes to spam like anyone.
 */
export const risk: Rule = {
  name: 'risk',
  run: ({ risk: assessed, site }) => {
    if (!assessed) return undefined;
    const { holdAt, spamAt } = site.settings.risk;
    const why = assessed.reasons.map((r) => r.code).join(', ');
    if (assessed.score >= spamAt) return { status: 'spam', reason: `risk ${assessed.score.toFixed(2)}: ${why}` };
    if (assessed.score >= holdAt) return { status: 'pending', reason: `risk ${assessed.score.toFixed(2)}: ${why}` };
    return undefined;
  },
};
