import type { CommentRecord, ThreadRecord } from './staging.repo';

/** Where a format's reader hands what it found: records to stage, and what it left out and why. */
export interface RecordSink {
  thread(record: ThreadRecord): void;
  comment(record: CommentRecord): void;
  skip(reason: string, line: number | null, id?: string | null): void;
  note(reason: string, line: number | null, id?: string | null): void;
}

/** Raw text kept per comment body before it is converted; past this it is certainly too long. */
export const MAX_RAW_BODY = 2_000_000;
/** Raw text kept for any other field (names, URLs, titles, dates). */
export const MAX_FIELD = 10_000;
