/**
 * Orders one thread's live events by `seq` and delivers each exactly once, across reconnects.
 *
 * Every change to a thread takes the next seq, but a reader does not see every seq: other readers'
 * pending comments take numbers too. So a gap is either an event still in flight (events from
 * different instances can overtake each other) or one this reader will never get. An event after a
 * gap is held briefly (`holdMs`) for the gap to fill, then delivered; a reconnect within
 * `tentativeMs` (of connected time) replays from the oldest skipped seq, so an event lost with a
 * dying instance still comes back through the replay, and a skipped event that turns up late is
 * still delivered. Anything else at or below what is settled is a duplicate, or older than the page
 * the caller loaded (its `since`), and is dropped; so are duplicates by comment id and seq.
 */
import type { MissedEvent } from '../../server/realtime/contract';

export type ThreadEvent = MissedEvent;

export interface SequencerOptions {
  holdMs?: number;
  tentativeMs?: number;
  now?: () => number;
}

export function eventKey(e: ThreadEvent): string {
  const p = e.payload as { seq: number; comment?: { id?: string } };
  return `${p.comment?.id ?? e.event}:${p.seq}`;
}

const seqOf = (e: ThreadEvent) => e.payload.seq;

export class ThreadSequencer {
  /** Every seq up to here is delivered or was skipped; null until the first join tells where we are. */
  private settled: number | null;
  private readonly held = new Map<number, ThreadEvent>();
  private readonly delivered = new Map<string, number>();
  /** Seqs skipped over a gap, and when: they may still arrive late, and a reconnect replays them. */
  private readonly skipped = new Map<number, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connected = false;
  private disconnectedAt: number | null = null;
  private readonly holdMs: number;
  private readonly tentativeMs: number;
  private readonly now: () => number;

  constructor(
    since: number | null,
    private readonly deliver: (event: ThreadEvent, replayed: boolean) => void,
    options: SequencerOptions = {},
  ) {
    this.settled = since;
    this.holdMs = options.holdMs ?? 250;
    this.tentativeMs = options.tentativeMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** The last seq known to be settled (delivered or not for this reader). */
  get seq(): number | null {
    return this.settled;
  }

  /** What to send as `since` on the next join: replays everything that may still be missing. */
  resumeFrom(): number | undefined {
    if (this.settled === null) return undefined;
    const reference = this.disconnectedAt ?? this.now();
    let oldest = Infinity;
    for (const [seq, at] of this.skipped) if (reference - at < this.tentativeMs) oldest = Math.min(oldest, seq);
    return Number.isFinite(oldest) ? Math.min(oldest - 1, this.settled) : this.settled;
  }

  /** A live event. */
  receive(event: ThreadEvent): void {
    if (this.delivered.has(eventKey(event))) return;
    const seq = seqOf(event);
    if (this.settled !== null && seq <= this.settled) {
      // A seq we skipped as "not ours" after all: late, but never lost. Any other is already on the page.
      if (this.skipped.delete(seq)) this.emit(event, false);
      return;
    }
    this.held.set(seq, event);
    this.flush();
  }

  /** The ack of a join: everything up to `seq` is now known, and `missed` is what we lacked. */
  joined(seq: number, missed: ThreadEvent[]): void {
    const firstJoin = this.settled === null;
    this.connected = true;
    this.disconnectedAt = null;
    for (const event of missed) {
      if (this.delivered.has(eventKey(event))) continue;
      if (this.settled === null || seqOf(event) > this.settled) this.held.set(seqOf(event), event);
      else if (this.skipped.delete(seqOf(event))) this.emit(event, true);
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
    // Everything up to `seq` that this reader may see was in `missed`: the rest never comes.
    for (const s of this.skipped.keys()) if (s <= seq) this.skipped.delete(s);
    this.prune();
    this.flush();
  }

  /** The connection dropped: freeze the clock that ages skipped seqs until we are back. */
  disconnected(): void {
    if (!this.connected) return;
    this.connected = false;
    this.disconnectedAt = this.now();
    this.clearTimer();
  }

  /** After a resync the caller reloaded the thread at `seq`: start again from there. */
  reset(seq: number | null): void {
    this.clearTimer();
    this.settled = seq;
    this.held.clear();
    this.delivered.clear();
    this.skipped.clear();
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
    if (this.held.size > 0 && this.connected && this.settled !== null) this.armTimer();
    else this.clearTimer();
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.skipToHeld();
    }, this.holdMs);
  }

  /** The gap before the lowest held event did not fill in time: deliver, and remember the gap. */
  private skipToHeld(): void {
    if (this.settled === null || this.held.size === 0) return;
    const lowest = Math.min(...this.held.keys());
    const at = this.now();
    for (let s = this.settled + 1; s < lowest; s++) this.skipped.set(s, at);
    this.settled = lowest - 1;
    this.flush();
  }

  private emit(event: ThreadEvent, replayed: boolean): void {
    this.delivered.set(eventKey(event), seqOf(event));
    this.deliver(event, replayed);
  }

  /** Bounded memory: keys below the replay point never come again; very old gaps are forgotten. */
  private prune(): void {
    if (this.skipped.size > 1_000) {
      const keep = [...this.skipped.keys()].sort((a, b) => b - a).slice(0, 1_000);
      for (const s of this.skipped.keys()) if (!keep.includes(s)) this.skipped.delete(s);
    }
    if (this.delivered.size < 2_000) return;
    const floor = this.resumeFrom() ?? 0;
    for (const [key, seq] of this.delivered) if (seq <= floor) this.delivered.delete(key);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
