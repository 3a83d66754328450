import type { Executor, UnitOfWork } from '../db';

/** What a domain holding personal data provides to export, erasure and retention (see extensions.ts). */
export interface PrivacySubject {
  commenterId: string;
  /** Only this site's records (lost-token requests are made to one site); undefined: everything. */
  siteId?: string;
  /** The ids of the subject's comments in scope, already read by the caller. */
  commentIds: string[];
}

export interface RetentionContext {
  now: Date;
  site: { id: string; retentionDays: number; rejectedRetentionDays: number };
}

export interface PrivacyExtension {
  name: string;
  /**
   * Adds sections to an export: the returned keys are merged into the document (for example
   * `{ votes: [...] }` or `{ moderationDecisions: [...] }`, which the base export leaves empty).
   */
  export?(db: Executor, subject: PrivacySubject): Promise<Record<string, unknown>>;
  /**
   * Erases or unlinks the subject's records inside the erasure's transaction (runs before the
   * commenter row is removed). Returns counts for the erasure report. Tallies must stay honest: a
   * withdrawn vote leaves its poll's totals minus that vote, and the change takes a thread `seq`.
   */
  erase?(uow: UnitOfWork, subject: PrivacySubject): Promise<Record<string, number>>;
  /** Purges what this domain keeps past a site's retention period (network hashes on votes, …). */
  retention?(db: Executor, context: RetentionContext): Promise<Record<string, number>>;
}
