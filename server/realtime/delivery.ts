import type { Logger } from 'pino';
import type { Db } from '../db';
import type { ThreadChange } from '../threads/thread.events';
import type { MissedEvent } from './contract';
import type { ReaderNamespace } from './reader-socket';
import { eventsBetween, threadSeqs } from './replay.repo';
import { isThreadRoom, threadCommenterRoom, threadRoom } from './rooms';
import { outgoing } from './visibility';

/**
 * Live delivery on one instance, with the replay log as the truth (SPEC §13 "Live delivery").
 *
 * Every change reaches every instance (from its own bus, or from another instance through the
 * adapter), but a notification may be late or lost: a LISTEN connection that comes back after a
 * cut, an instance killed between its commit and its broadcast, a commit whose answer was lost. So
 * an instance never assumes one arrived. For each thread its sockets follow, it remembers the last
 * seq it delivered, and delivers strictly in seq order: a change past a gap waits while the gap is
 * read from `thread_events`, and every `heartbeatMs` it reads the followed threads' current seqs and
 * delivers from the log whatever it has not. Readers get `thread:seq` with that heartbeat, and for
 * each event they may not see (another reader's held comment), so a reader can tell a seq that is
 * not theirs from one that was lost.
 */
export interface Delivery {
  /** A committed change, from this instance's bus or another instance. */
  accept(change: ThreadChange): void;
  /** A socket of this instance joined a thread whose current seq it read as `seq`. */
  joined(threadId: string, seq: number): void;
  /** Reads the followed threads' seqs, catches up from the log, tells readers where each thread is. */
  heartbeat(): Promise<void>;
  stop(): void;
}

interface Followed {
  delivered: number;
  /** Reading a gap from the log: changes that arrive meanwhile wait here, in any order. */
  filling: boolean;
  waiting: ThreadChange[];
}

export interface DeliveryOptions {
  heartbeatMs: number;
  /** Changes kept waiting behind an unfilled gap; past this they are read from the log instead. */
  maxWaiting: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { heartbeatMs: 5_000, maxWaiting: 1_000 };

export function createDelivery(nsp: ReaderNamespace, deps: { db: Db; log: Logger }, options: DeliveryOptions = DEFAULT_DELIVERY): Delivery {
  const threads = new Map<string, Followed>();
  const followedHere = (threadId: string) => (nsp.adapter.rooms.get(threadRoom(threadId))?.size ?? 0) > 0;

  function send(change: ThreadChange): void {
    const { threadId, seq, audience } = change;
    if (audience === null) emitTo(nsp.local.to(threadRoom(threadId)), outgoing(change));
    else {
      const own = threadCommenterRoom(threadId, audience);
      emitTo(nsp.local.to(own), outgoing(change));
      // Everyone else learns only that this seq is not theirs.
      nsp.local.to(threadRoom(threadId)).except(own).emit('thread:seq', { threadId, seq });
    }
  }

  /** Delivers what follows on from `delivered`; true when a gap is left (the log must fill it). */
  function drain(t: Followed): boolean {
    t.waiting.sort((a, b) => a.seq - b.seq);
    while (t.waiting.length) {
      const next = t.waiting[0]!;
      if (next.seq > t.delivered + 1) return true;
      t.waiting.shift();
      if (next.seq <= t.delivered) continue;
      send(next);
      t.delivered = next.seq;
    }
    return false;
  }

  async function fill(threadId: string, t: Followed, siteId: string, upTo: number): Promise<void> {
    t.filling = true;
    try {
      for (;;) {
        const rows = await eventsBetween(deps.db, { siteId, threadId, since: t.delivered, upTo, limit: 500 });
        for (const change of rows) {
          if (change.seq <= t.delivered) continue;
          send(change);
          t.delivered = change.seq;
        }
        if (rows.length < 500 || t.delivered >= upTo) break;
      }
      // A seq the log does not hold (pruned): readers resync from HTTP when they see the jump.
      if (t.delivered < upTo) t.delivered = upTo;
    } finally {
      t.filling = false;
    }
    if (drain(t)) {
      const last = t.waiting[t.waiting.length - 1]!;
      await fill(threadId, t, last.siteId, last.seq);
    }
  }

  function catchUp(threadId: string, t: Followed, siteId: string, upTo: number): void {
    fill(threadId, t, siteId, upTo).catch((err: unknown) => {
      // The database is away: the next heartbeat tries again; what waits is in the log anyway.
      deps.log.warn({ err: (err as Error).message, threadId }, 'live events: catching up from the log failed');
      if (t.waiting.length > options.maxWaiting) t.waiting.splice(0, t.waiting.length - options.maxWaiting);
    });
  }

  let stopped = false;
  const timer = setInterval(() => void delivery.heartbeat(), options.heartbeatMs);
  timer.unref();

  const delivery: Delivery = {
    accept(change) {
      const { threadId } = change;
      if (!followedHere(threadId)) {
        threads.delete(threadId);
        return;
      }
      let t = threads.get(threadId);
      if (!t) threads.set(threadId, (t = { delivered: change.seq - 1, filling: false, waiting: [] }));
      if (change.seq <= t.delivered) return;
      t.waiting.push(change);
      if (t.filling) return;
      if (drain(t)) catchUp(threadId, t, change.siteId, t.waiting[t.waiting.length - 1]!.seq);
    },
    joined(threadId, seq) {
      if (!threads.has(threadId)) threads.set(threadId, { delivered: seq, filling: false, waiting: [] });
    },
    async heartbeat() {
      if (stopped) return;
      const followed: string[] = [];
      for (const room of nsp.adapter.rooms.keys()) if (isThreadRoom(room)) followed.push(room.slice('thread:'.length));
      for (const id of threads.keys()) if (!followed.includes(id)) threads.delete(id);
      let heads: Awaited<ReturnType<typeof threadSeqs>> = [];
      try {
        for (let i = 0; i < followed.length; i += 500) heads = heads.concat(await threadSeqs(deps.db, followed.slice(i, i + 500)));
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'live events: heartbeat could not read the threads');
        return;
      }
      for (const head of heads) {
        let t = threads.get(head.id);
        if (!t) threads.set(head.id, (t = { delivered: head.seq, filling: false, waiting: [] }));
        if (t.filling) continue;
        if (head.seq > t.delivered) {
          try {
            await fill(head.id, t, head.site_id, head.seq);
          } catch (err) {
            deps.log.warn({ err: (err as Error).message, threadId: head.id }, 'live events: catching up from the log failed');
            continue;
          }
        }
        nsp.local.to(threadRoom(head.id)).emit('thread:seq', { threadId: head.id, seq: t.delivered });
      }
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      threads.clear();
    },
  };
  return delivery;
}

type Target = ReturnType<ReaderNamespace['to']>;

/** One socket event per kind: each name goes out with its own payload type. */
function emitTo(target: Target, e: MissedEvent): void {
  switch (e.event) {
    case 'comment:created':
      return void target.emit(e.event, e.payload);
    case 'comment:updated':
      return void target.emit(e.event, e.payload);
    case 'comment:removed':
      return void target.emit(e.event, e.payload);
    case 'thread:updated':
      return void target.emit(e.event, e.payload);
  }
}
