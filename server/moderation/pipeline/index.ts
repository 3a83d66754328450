import { banned } from './banned';
import { blockedWords } from './blocked-words';
import { closedThread } from './closed-thread';
import { formTooFast } from './form-too-fast';
import { honeypot } from './honeypot';
import { heldWords } from './held-words';
import { linkLimit } from './link-limit';
import { linksAllowed } from './links-allowed';
import { member } from './member';
import { moderationMode } from './moderation-mode';
import { risk } from './risk';
import type { Rule, RuleInput, Verdict } from './types';

export type { Rule, RuleInput, RuleOutcome, Verdict } from './types';

/**
 * The rules every new or edited comment meets, in the order of the specification: refusals first,
 * then spam, then rejections, then holds. The most severe decision wins (see runPipeline).
 */
export const RULES: readonly Rule[] = [
  // Refusals.
  closedThread,
  banned,
  // Staff are trusted from here on.
  member,
  // Spam.
  honeypot,
  formTooFast,
  // Spam or held, by the abuse signals.
  risk,
  // Rejections.
  blockedWords,
  // Holds.
  heldWords,
  linksAllowed,
  linkLimit,
  moderationMode,
];

export interface PipelineResult {
  status: Verdict;
  reason: string;
  rule: string | null;
}

/** How severe a decision is: a later rule may replace a hold with something more severe, never the reverse. */
const SEVERITY: Record<Verdict, number> = { approved: 0, pending: 1, rejected: 2, spam: 3 };

/**
 * Runs the rules in order. A refusal ends the run at once; so does a decision to approve (staff)
 * or to reject or spam, as every later rule is a hold at most. A hold does not end it: a later rule
 * may still reject or spam the comment (a risky comment with a blocked word is rejected, not held),
 * and the first hold found is the one reported.
 */
export function runPipeline(input: RuleInput, rules: readonly Rule[] = RULES): PipelineResult {
  let held: PipelineResult | null = null;
  for (const rule of rules) {
    const outcome = rule.run(input);
    if (!outcome) continue;
    if ('refuse' in outcome) throw outcome.refuse;
    const result = { status: outcome.status, reason: outcome.reason, rule: rule.name };
    if (outcome.status !== 'pending') return held && SEVERITY[held.status] > SEVERITY[outcome.status] ? held : result;
    held ??= result;
  }
  return held ?? { status: 'approved', reason: 'no rule held it', rule: null };
}
