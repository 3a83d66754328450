import { ThreadSequencer, type ThreadEvent } from '../../client/shared/sequencer';

/** The ordering rules of the live client, without sockets: what a widget would render, and when. */
const created = (seq: number, id = `c${seq}`): ThreadEvent =>
  ({ event: 'comment:created', payload: { threadId: 't', seq, comment: { id } } }) as unknown as ThreadEvent;
const updated = (seq: number, id: string): ThreadEvent =>
  ({ event: 'comment:updated', payload: { threadId: 't', seq, comment: { id } } }) as unknown as ThreadEvent;

function setup(since: number | null) {
  const seen: Array<{ seq: number; replayed: boolean }> = [];
  let heals = 0;
  const seq = new ThreadSequencer(since, (e, replayed) => seen.push({ seq: e.payload.seq, replayed }), () => heals++, { holdMs: 250 });
  return { seq, seen, seqs: () => seen.map((s) => s.seq), heals: () => heals };
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
    const { seq, seqs, heals } = setup(0);
    seq.joined(0, []);
    seq.receive(created(3));
    seq.receive(created(2));
    expect(seqs()).toEqual([]);
    seq.receive(created(1));
    expect(seqs()).toEqual([1, 2, 3]);
    jest.advanceTimersByTime(1_000);
    expect(heals()).toBe(0);
  });

  it("settles a seq the server marks as not this reader's (someone else's held comment) without asking", () => {
    const { seq, seqs, heals } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    seq.mark(2);
    seq.receive(created(3));
    expect(seqs()).toEqual([1, 3]);
    seq.mark(3);
    jest.advanceTimersByTime(1_000);
    expect(heals()).toBe(0);
    expect(seq.resumeFrom()).toBe(3);
  });

  it('never skips a gap: after a moment it asks for the missing range, and the answer fills it in order', () => {
    const { seq, seen, heals } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    seq.receive(created(3));
    jest.advanceTimersByTime(300);
    expect(heals()).toBe(1);
    expect(seq.resumeFrom()).toBe(1);
    // While the join is on its way, a heartbeat asks for nothing more.
    seq.mark(3);
    expect(heals()).toBe(1);
    seq.joined(3, [created(2), created(3)]);
    expect(seen).toEqual([
      { seq: 1, replayed: false },
      { seq: 2, replayed: true },
      { seq: 3, replayed: true },
    ]);
  });

  it('notices a hole at the end of a burst from the heartbeat, and asks for it', () => {
    const { seq, seqs, heals } = setup(0);
    seq.joined(0, []);
    seq.receive(created(1));
    // Seqs 2 and 3 were lost; nothing after them comes to reveal the hole, but the heartbeat does.
    seq.mark(3);
    expect(heals()).toBe(1);
    seq.joined(3, [created(2), created(3)]);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('is not fooled by a gap while disconnected: the next join resumes from what is settled', () => {
    const { seq, heals } = setup(0);
    seq.joined(0, []);
    seq.receive(created(2));
    seq.disconnected();
    jest.advanceTimersByTime(60_000);
    expect(heals()).toBe(0);
    expect(seq.resumeFrom()).toBe(0);
  });

  it('drops a late broadcast of something the page already shows (at or below `since`)', () => {
    const { seq, seqs } = setup(5);
    seq.joined(5, []);
    // The broadcast of seq 4 was slow (it crossed instances); the page loaded over HTTP has it.
    seq.receive(created(4));
    seq.receive(created(6));
    expect(seqs()).toEqual([6]);
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
