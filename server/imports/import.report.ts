import type { CommentStatus } from '../../db/schema';

/** Where in the file something was, for a person to find it. */
export interface Example {
  line: number | null;
  id: string | null;
}

export interface ReasonCount {
  reason: string;
  count: number;
  /** The first few occurrences; the count covers them all. */
  examples: Example[];
}

export interface ImportReport {
  format: 'wxr' | 'disqus' | 'parley';
  siteId: string;
  dryRun: boolean;
  threads: { created: number; matched: number; withoutComments: number };
  comments: { imported: Record<CommentStatus, number>; total: number; alreadyImported: number };
  commenters: { created: number };
  polls?: { imported: number; ballots: number };
  /** Parley archives: members given a role on the site (new accounts), bans, moderation log entries and thread presets. */
  moderation?: { members: number; bans: number; logEntries: number; presets: number };
  /** Records left out, by reason. */
  skipped: ReasonCount[];
  /** Records imported, but not exactly as written in the file. */
  notes: ReasonCount[];
}

const EXAMPLES = 10;

/** Collects reasons with bounded memory: a count per reason and its first few places. */
export class ReasonLog {
  private readonly reasons = new Map<string, ReasonCount>();

  add(reason: string, line: number | null, id: string | null = null, count = 1): void {
    let entry = this.reasons.get(reason);
    if (!entry) this.reasons.set(reason, (entry = { reason, count: 0, examples: [] }));
    entry.count += count;
    if (entry.examples.length < EXAMPLES && (line !== null || id !== null)) entry.examples.push({ line, id });
  }

  list(): ReasonCount[] {
    return [...this.reasons.values()].sort((a, b) => b.count - a.count);
  }
}

export function emptyStatusCounts(): Record<CommentStatus, number> {
  return { approved: 0, pending: 0, spam: 0, deleted: 0, rejected: 0 };
}

function where(examples: Example[], total: number): string {
  if (examples.length === 0) return '';
  const parts = examples.map((e) => [e.line !== null ? `line ${e.line}` : null, e.id !== null ? `id ${e.id}` : null].filter(Boolean).join(' '));
  return ` (${parts.join('; ')}${total > examples.length ? '; …' : ''})`;
}

/** The report as a person reads it at the end of `parley import`. */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  lines.push(`${r.dryRun ? 'Dry run (nothing was written)' : 'Import finished'}: ${r.format} into site "${r.siteId}".`);
  lines.push(
    `Threads: ${r.threads.created} created, ${r.threads.matched} matched to existing threads` +
      (r.threads.withoutComments ? `, ${r.threads.withoutComments} in the file had no comments to import` : '') +
      '.',
  );
  const byStatus = Object.entries(r.comments.imported)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  lines.push(`Comments: ${r.comments.total} imported${byStatus ? ` (${byStatus})` : ''}, ${r.comments.alreadyImported} already imported before.`);
  lines.push(
    r.format === 'parley'
      ? `Commenters: ${r.commenters.created} restored.`
      : `Commenters: ${r.commenters.created} created (one per email address; none for comments without one).`,
  );
  if (r.polls) lines.push(`Polls: ${r.polls.imported} imported with ${r.polls.ballots} ballots.`);
  if (r.moderation) lines.push(`Newsroom: ${r.moderation.members} new member accounts, ${r.moderation.bans} bans, ${r.moderation.logEntries} moderation log entries, ${r.moderation.presets} thread presets.`);
  const skippedTotal = r.skipped.reduce((n, s) => n + s.count, 0);
  lines.push(`Skipped: ${skippedTotal}.`);
  for (const s of r.skipped) lines.push(`  - ${s.count} × ${s.reason}${where(s.examples, s.count)}`);
  if (r.notes.length) {
    lines.push('Imported with changes:');
    for (const s of r.notes) lines.push(`  - ${s.count} × ${s.reason}${where(s.examples, s.count)}`);
  }
  return lines.join('\n') + '\n';
}
