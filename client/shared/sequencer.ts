/**
 * Orders one thread's live events by `seq` and delivers each exactly once, across reconnects.
 *
 * Every change to a thread takes the next seq, but a reader does not see every seq: other readers'
 * held comments take numbers too. The server settles those without a request: each instance
 * delivers a thread's events to its sockets in seq order, and sends `thread:seq` for each seq this
 * reader may not see and with its heartbeat (every 5 s), meaning "everything up to here that you may
 * see has been sent". So a gap is never skipped: an event past a gap waits, and a gap still open
 * after `holdMs`, or after a heartbeat says the thread is further than this reader got, is healed by
 * asking for the missing range (`heal`: a `thread:join` with `since`). Anything at or below what is
 * settled is a duplicate, or older than the page the caller loaded (its `since`), and is dropped.
 */
import type { MissedEvent } from '../../server/realtime/contract';

export type ThreadEvent = MissedEvent;

export interface SequencerOptions {
  /** How long an event waits behind a gap before the gap is asked for. */
  holdMs?: number;
}

export function eventKey(e: ThreadEvent): string {
  const p = e.payload as { seq: number; comment?: { id?: string } };
  return `${p.comment?.id ?? e.event}:${p.seq}`;
}

const seqOf = (e: ThreadEvent) => e.payload.seq;

export class ThreadSequencer {
  /** Every seq up to here is delivered or known not to be this reader's; null until the first join. */
  private settled: number | null;
  private readonly held = new Map<number, ThreadEvent>();
  private readonly delivered = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Joined and not waiting for a join's answer: marks and gaps mean something only then. */
  private live = false;
  private readonly holdMs: number;

  constructor(
    since: number | null,
    private readonly deliver: (event: ThreadEvent, replayed: boolean) => void,
    /** Asks the server again for everything after the settled seq (a join with `since`). */
    private readonly heal: () => void,
    options: SequencerOptions = {},
  ) {
    this.settled = since;
    this.holdMs = options.holdMs ?? 1_000;
  }

  /** The last seq settled (delivered or not for this reader). */
  get seq(): number | null {
    return this.settled;
  }

  /** What to send as `since` on the next join. */
  resumeFrom(): number | undefined {
    return this.settled ?? undefined;
  }

  /** A join is on its way: until its answer, the gaps it will fill are not gaps. */
  joining(): void {
    this.live = false;
    this.clearTimer();
  }

  /** A live event. */
  receive(event: ThreadEvent): void {
    if (this.delivered.has(eventKey(event))) return;
    const seq = seqOf(event);
    if (this.settled !== null && seq <= this.settled) return;
    this.held.set(seq, event);
    this.flush();
  }

  /**
   * `thread:seq`: the server sent everything up to `seq` this reader may see. The next seq alone is
   * one this reader may not see (another reader's held comment); anything further is a gap.
   */
  mark(seq: number): void {
    if (!this.live || this.settled === null || seq <= this.settled) return;
    if (seq === this.settled + 1 && !this.held.has(seq)) {
      this.settled = seq;
      this.flush();
      return;
    }
    this.askForGap();
  }

  /** The ack of a join: everything up to `seq` is now known, and `missed` is what we lacked. */
  joined(seq: number, missed: ThreadEvent[]): void {
    const firstJoin = this.settled === null;
    this.live = true;
    for (const event of missed) {
      if (this.delivered.has(eventKey(event))) continue;
      if (this.settled === null || seqOf(event) > this.settled) this.held.set(seqOf(event), event);
    }
    const missedKeys = new Set(missed.map(eventKey));
    for (const s of [...this.held.keys()].sort((a, b) => a - b)) {
      if (s > seq) break;
      const event = this.held.get(s)!;
      this.held.delete(s);
      // Without a starting point, what happened before the join is the caller's to load.
      if (!firstJoin || missedKeys.has(eventKey(event))) this.emit(event, missedKeys.has(eventKey(event)));
    }
    this.settled = Math.max(this.settled ?? seq, seq);
    this.prune();
    this.flush();
  }

  /** The connection dropped: the next join resumes from what is settled. */
  disconnected(): void {
    this.live = false;
    this.clearTimer();
  }

  /** After a resync the caller reloaded the thread at `seq`: start again from there. */
  reset(seq: number | null): void {
    this.clearTimer();
    this.settled = seq;
    this.held.clear();
    this.delivered.clear();
  }

  stop(): void {
    this.clearTimer();
  }

  private flush(): void {
    while (this.settled !== null && this.held.has(this.settled + 1)) {
      const next = this.held.get(this.settled + 1)!;
      this.held.delete(this.settled + 1);
      this.settled += 1;
      this.emit(next, false);
    }
    if (this.held.size > 0 && this.live && this.settled !== null) this.armTimer();
    else this.clearTimer();
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.held.size > 0 && this.live) this.askForGap();
    }, this.holdMs);
  }

  private askForGap(): void {
    this.joining();
    this.heal();
  }

  private emit(event: ThreadEvent, replayed: boolean): void {
    this.delivered.set(eventKey(event), seqOf(event));
    this.deliver(event, replayed);
  }

  /** Bounded memory: keys at or below what is settled never come again. */
  private prune(): void {
    if (this.delivered.size < 2_000) return;
    const floor = this.settled ?? 0;
    for (const [key, seq] of this.delivered) if (seq <= floor) this.delivered.delete(key);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
