import { banned } from './banned';
import { blockedWords } from './blocked-words';
import { closedThread } from './closed-thread';
import { formTooFast } from './form-too-fast';
import { honeypot } from './honeypot';
import { heldWords } from './held-words';
import { linkLimit } from './link-limit';
import { member } from './member';
import { moderationMode } from './moderation-mode';
import { risk } from './risk';
import type { Rule, RuleInput, Verdict } from './types';

export type { Rule, RuleInput, RuleOutcome, Verdict } from './types';

/**
 * The rules every new or edited comment meets, in the order of the specification: refusals first,
 * then spam, then rejections, then holds. The first rule that decides ends the run.
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
  linkLimit,
  moderationMode,
];

export interface PipelineResult {
  status: Verdict;
  reason: string;
  rule: string | null;
}

export function runPipeline(input: RuleInput, rules: readonly Rule[] = RULES): PipelineResult {
  for (const rule of rules) {
    const outcome = rule.run(input);
    if (!outcome) continue;
    if ('refuse' in outcome) throw outcome.refuse;
    return { status: outcome.status, reason: outcome.reason, rule: rule.name };
  }
  return { status: 'approved', reason: 'no rule held it', rule: null };
}
