import type { Ctx } from './context';
import { h } from './dom';
import type { ThreadView } from './types';

/**
 * Closing and reopening on a schedule: a module of its own, loaded only when a thread has a close or
 * reopen time. A note above the form says when commenting closes (or reopens), counting down each
 * minute; when the time comes the form closes (or opens) without a reload, and the status line tells
 * screen readers. The reader's clock only shows it: the server refuses a post at the close time.
 */
const MIN = 60_000;
const TEXT = {
  en: {
    closes: 'Comments close in ',
    reopens: 'Comments reopen in ',
    unit: (n: number, u: 'min' | 'h' | 'd') => (u === 'd' ? `${n} day${n === 1 ? '' : 's'}` : `${n} ${u}`),
  },
  fr: {
    closes: 'Les commentaires ferment dans ',
    reopens: 'Les commentaires rouvrent dans ',
    unit: (n: number, u: 'min' | 'h' | 'd') => (u === 'd' ? `${n} jour${n === 1 ? '' : 's'}` : `${n} ${u}`),
  },
};

/** How long is left, said briefly: minutes under an hour, hours under two days, then days. */
function left(ms: number, unit: (n: number, u: 'min' | 'h' | 'd') => string): string {
  const minutes = Math.max(1, Math.ceil(ms / MIN));
  if (minutes < 60) return unit(minutes, 'min');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? unit(hours, 'h') : unit(Math.round(hours / 24), 'd');
}

interface Shown {
  note: HTMLElement;
  timer?: ReturnType<typeof setTimeout>;
  view?: ThreadView;
}
const shown = new WeakMap<Ctx, Shown>();

/**
 * Shows the thread's schedule and follows it. Called with each version of the thread the widget
 * has (at first, then at every live update); `apply` opens or closes the form.
 */
export function s(ctx: Ctx, view: ThreadView, apply: (state: ThreadView['state']) => void): void {
  let at = shown.get(ctx);
  if (!at) {
    at = { note: h('p', { class: 'note schedule' }) };
    shown.set(ctx, at);
    // Above the form, where it shows whether the thread is open or closed. Naming the form's home
    // tells the widget to keep calling this module, even once the thread has no time left.
    const home = ctx.root.querySelector('.form-home');
    if (home) home.id = 'parley-scheduled';
    home?.before(at.note);
  }
  const state = at;
  const previous = state.view;
  state.view = view;
  const t = TEXT[ctx.lang];
  const tick = () => {
    clearTimeout(state.timer);
    const v = state.view!;
    const now = Date.now();
    const closes = v.closesAt ? Date.parse(v.closesAt) : NaN;
    const reopens = v.reopensAt ? Date.parse(v.reopensAt) : NaN;
    const open = ctx.thread.state === 'open';
    // The time that would change what the widget shows now, and the one that would undo it.
    const [next, undo] = open ? [closes, reopens] : [reopens, closes];
    state.note.hidden = !(next > now);
    if (next > now) {
      state.note.textContent = (open ? t.closes : t.reopens) + left(next - now, t.unit);
      state.timer = setTimeout(tick, (next - now) % MIN || MIN);
    } else if (next <= now && !((open ? undo >= next : undo > next) && undo <= now)) {
      // Its time came while the reader was here: the form follows, and screen readers hear it.
      apply(open ? 'closed' : 'open');
      ctx.announce(open ? ctx.t.closed : ctx.t.reopened);
      tick();
    }
  };
  // Staff changed the schedule while the reader was here: say so once.
  if (previous && (previous.closesAt !== view.closesAt || previous.reopensAt !== view.reopensAt)) {
    tick();
    if (!state.note.hidden) ctx.announce(state.note.textContent!);
    return;
  }
  tick();
}
