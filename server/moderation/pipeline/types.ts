import type { RiskReason, Thread } from '../../../db/schema';
import type { AppError } from '../../errors';
import type { SiteWithSettings } from '../../sites/site.service';

export type Verdict = 'approved' | 'pending' | 'rejected' | 'spam';

/** Everything a rule may look at; rules are pure and never query anything themselves. */
export interface RuleInput {
  site: SiteWithSettings;
  thread: Thread;
  body: { source: string; html: string; text: string; links: number };
  author: {
    /** A staff member posting with a badge: approved without further checks. */
    isMember: boolean;
    /** Approved comments this commenter already has on the site. */
    approvedCount: number;
    banned: boolean;
    /** When the ban ends; null or absent: never. */
    bannedUntil?: Date | null;
    /** SPEC §11 trust (by token or SSO identity): skips first-time and link holds. */
    trusted?: boolean;
  };
  /** The abuse signals' verdict on the text; absent: not assessed (staff, or no abuse defence). */
  risk?: { score: number; reasons: RiskReason[] };
  form: { honeypot?: string; elapsedMs?: number };
  /** True when an edit, not a new comment, is being checked. */
  isEdit: boolean;
}

/** A rule either refuses the comment, decides its status, or passes (undefined) to the next rule. */
export type RuleOutcome = { refuse: AppError } | { status: Verdict; reason: string } | undefined;

export interface Rule {
  name: string;
  run(input: RuleInput): RuleOutcome;
}
