import { ThreadSequencer, type ThreadEvent } from '../../client/shared/sequencer';

/** The ordering rules of the live client, without sockets: what a widget would render, and when. */
const created = (seq: number, id = `c${seq}`): ThreadEvent =>
  ({ event: 'comment:created', payload: { threadId: 't', seq, comment: { id } } }) as unknown as ThreadEvent;
const updated = (seq: number, id: string): ThreadEvent =>
  ({ event: 'comment:updated', payload: { threadId: 't', seq, comment: { id } } }) as unknown as ThreadEvent;

function setup(since: number | null) {
  const seen: Array<{ seq: number; replayed: boolean }> = [];
  const seq = new ThreadSequencer(since, (e, replayed) => seen.push({ seq: e.payload.seq, replayed }), { holdMs: 250, tentativeMs: 10_000 });
  return { seq, seen, seqs: () => seen.map((s) => s.seq) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ThreadSequencer', () => {
  it('delivers in order, and each event once', () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    seq.receive(created(1));
    seq.receive(updated(2, 'c1'));
    expect(seqs()).toEqual([1, 2]);
    expect(seq.seq).toBe(2);
  });

  it('puts events that overtook each other back in order', () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(3));
    seq.receive(created(2));
    expect(seqs()).toEqual([]);
    seq.receive(created(1));
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it("moves past a gap that never fills (someone else's pending comment), but replays it after a reconnect", () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    seq.receive(created(3));
    expect(seqs()).toEqual([1]);
    jest.advanceTimersByTime(300);
    expect(seqs()).toEqual([1, 3]);
    // A reconnect now asks again from before the gap: seq 2 may have died with an instance.
    expect(seq.resumeFrom()).toBe(1);
    // Once the join says everything up to 3 is known, the gap is closed for good.
    seq.joined(3, []);
    expect(seq.resumeFrom()).toBe(3);
  });

  it('forgets old gaps while connected, never while disconnected', () => {
    const { seq } = setup(0);
    seq.joined(0, []);
    seq.receive(created(2));
    jest.advanceTimersByTime(300);
    expect(seq.resumeFrom()).toBe(0);
    seq.disconnected();
    jest.advanceTimersByTime(60_000);
    expect(seq.resumeFrom()).toBe(0);
    seq.joined(2, []);
    seq.receive(created(4));
    jest.advanceTimersByTime(300);
    jest.advanceTimersByTime(10_000);
    expect(seq.resumeFrom()).toBe(4);
  });

  it('delivers a skipped seq that arrives late, once', () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(2));
    jest.advanceTimersByTime(300);
    seq.receive(created(1));
    seq.joined(2, [created(1), created(2)]);
    expect(seqs()).toEqual([2, 1]);
  });

  it('drops a late broadcast of something the page already shows (at or below `since`)', () => {
    const { seq, seqs } = setup(5);
    seq.joined(5, []);
    // The broadcast of seq 4 was slow (it crossed instances); the page loaded over HTTP has it.
    seq.receive(created(4));
    seq.receive(created(6));
    expect(seqs()).toEqual([6]);
  });

  it('drops a late event the join already said this reader cannot see', () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(2));
    jest.advanceTimersByTime(300);
    seq.joined(2, []);
    seq.receive(created(1));
    expect(seqs()).toEqual([2]);
  });

  it('merges a replay with what arrived live meanwhile, without duplicates', () => {
    const { seq, seen } = setup(1);
    // After a reconnect, live events can arrive before the join's answer.
    seq.receive(created(4));
    seq.receive(created(5));
    seq.joined(4, [created(2), created(3), created(4)]);
    expect(seen).toEqual([
      { seq: 2, replayed: true },
      { seq: 3, replayed: true },
      { seq: 4, replayed: true },
      { seq: 5, replayed: false },
    ]);
  });

  it('starts from the first join when the caller has no seq, leaving earlier history to the caller', () => {
    const { seq, seqs } = setup(null);
    expect(seq.resumeFrom()).toBeUndefined();
    seq.receive(created(7));
    seq.receive(created(8));
    seq.joined(7, []);
    expect(seqs()).toEqual([8]);
    expect(seq.seq).toBe(8);
  });

  it('starts over from a reloaded seq after a resync', () => {
    const { seq, seqs } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    seq.reset(40);
    seq.joined(40, []);
    seq.receive(created(41));
    expect(seqs()).toEqual([1, 41]);
  });
});
