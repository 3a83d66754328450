import { round } from './classifier';
import type { Signal } from './types';

/** Texts with contact details this site's moderators marked as spam, at least, before the signal speaks. */
const MIN_SPAM = 3;

const KINDS = { email: 'an e-mail address', phone: 'a phone number', messenger: 'a messenger handle' } as const;

/**
 * Contact details (an e-mail address, a phone number, a messenger handle) in a comment, on a site
 * whose moderators marked such comments as spam at least MIN_SPAM times and approved (or let stand)
 * at most a tenth as many: "contact my mentor on WhatsApp +44…", "email the recovery expert at…".
 * Learnt from the site, as a spam link domain is, not assumed: on a site whose readers share an
 * address as a matter of course (the counts lean genuine) it says nothing. Enough to hold a
 * comment for a moderator (0.75 against the default hold at 0.6), never to send it to spam alone.
 */
export function contactSignal(kinds: ReadonlyArray<keyof typeof KINDS>, counts: { spam: number; ham: number } | undefined): Signal {
  if (kinds.length === 0 || !counts) return null;
  const spam = Math.floor(counts.spam);
  if (spam < MIN_SPAM || counts.spam < 10 * counts.ham) return null;
  const approved = Math.floor(counts.ham);
  return {
    code: 'contact',
    weight: round(0.75),
    detail: `gives ${kinds.map((k) => KINDS[k]).join(' and ')}; ${spam} comments with contact details were marked as spam here, ${approved === 0 ? 'none' : approved} approved`,
  };
}
