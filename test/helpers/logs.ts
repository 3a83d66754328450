import type { Logger } from 'pino';
import { createLogger } from '../../server/log';

export interface CapturedLog {
  /** The production logger (its redaction included), writing here instead of to stdout. */
  log: Logger;
  /** Everything written since the start or the last clear, as written: JSON lines. */
  text(): string;
  /** The same, a parsed object per line. */
  lines(): Array<Record<string, any>>;
  clear(): void;
}

/** What an operator would read from Parley's log at `level`, kept for a test to search. */
export function captureLog(level: string): CapturedLog {
  let written: string[] = [];
  const log = createLogger(level, { write: (line: string) => void written.push(line) });
  return {
    log,
    text: () => written.join(''),
    lines: () => written.map((line) => JSON.parse(line) as Record<string, any>),
    clear: () => {
      written = [];
    },
  };
}
