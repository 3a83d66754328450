import type { PollView } from '../../server/polls/poll.view';
import type { Ctx } from './context';
import { clear, h, uid } from './dom';
import { fullTime } from './i18n';

export type { PollView };

/**
 * The thread's poll, above the comments: vote, change or withdraw while it is open; results as the
 * poll's visibility allows (always, after one's vote, or after closing). `update()` takes a fresh
 * view, from a vote or from live results.
 */
export class PollBox {
  readonly el: HTMLElement;
  private poll: PollView;
  private changing = false;
  private busy = false;
  /** The form is on screen: the reader may be choosing. */
  private choosing = false;
  private voters?: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly content: HTMLElement;

  constructor(
    private readonly ctx: Ctx,
    poll: PollView,
  ) {
    this.poll = poll;
    const titleId = uid('poll');
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.content = h('div', {});
    this.el = h(
      'section',
      { class: 'poll', 'aria-labelledby': titleId },
      h('p', { class: 'poll-label' }, ctx.t.poll),
      h('h3', { class: 'poll-q', id: titleId }, poll.question),
      this.content,
      this.alert,
    );
    this.render();
  }

  get id(): string {
    return this.poll.id;
  }

  get view(): PollView {
    return this.poll;
  }

  update(poll: PollView, keepMine = true): void {
    const was = this.poll;
    // Live results carry no `myVote` for this reader: keep what we know of our own vote.
    const p = (this.poll = keepMine && poll.myVote === undefined ? { ...poll, myVote: was.myVote } : poll);
    if (this.busy) return;
    // Someone else's vote, or the thread read again (a reconnect), while this reader is choosing
    // moves the count only: drawing the form again would throw away the answer they have ticked.
    if (this.choosing && p.state === 'open' && sameVote(p.myVote, was.myVote) && p.closesAt === was.closesAt) {
      if (this.voters && p.results) this.voters.textContent = this.ctx.t.people(p.results.voters);
      return;
    }
    this.render();
  }

  private render(): void {
    const { t, lang } = this.ctx;
    const p = this.poll;
    const open = p.state === 'open';
    clear(this.content);
    const notes: string[] = [];
    if (!open) notes.push(t.pollClosed);
    else if (p.closesAt) notes.push(t.closes(fullTime(p.closesAt, lang)));
    if (!p.results) notes.push(p.visibility === 'after_close' ? t.afterClose : t.afterVote);
    const showForm = (this.choosing = open && (!p.myVote || this.changing));
    this.voters = undefined;

    if (showForm) {
      this.content.append(this.form());
      // Results the reader may already see: how many have voted, kept current while they choose.
      if (p.results) this.content.append((this.voters = h('p', { class: 'poll-note' }, t.people(p.results.voters))));
    } else if (p.results) this.content.append(this.results());
    if (notes.length) this.content.append(h('p', { class: 'poll-note' }, notes.join(' ')));
    if (!showForm && open && p.myVote) {
      this.content.append(
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', class: 'secondary', onclick: () => this.startChange() }, t.changeVote),
          h('button', { type: 'button', class: 'link', onclick: () => void this.withdraw() }, t.withdraw),
        ),
      );
    }
  }

  private results(): HTMLElement {
    const { t } = this.ctx;
    const p = this.poll;
    const total = Object.values(p.results!.votes).reduce((a, b) => a + b, 0);
    const mine = new Set(p.myVote ?? []);
    return h(
      'div',
      { class: 'results' },
      h(
        'ul',
        { class: 'bars' },
        p.options.map((o) => {
          const votes = p.results!.votes[o.id] ?? 0;
          const pct = total ? Math.round((votes / total) * 100) : 0;
          const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
          bar.style.setProperty('--w', `${pct}%`);
          return h(
            'li',
            { class: mine.has(o.id) ? 'mine' : '' },
            h('span', { class: 'opt' }, o.label, mine.has(o.id) && h('span', { class: 'you' }, ` ✓ ${t.yourVote}`)),
            h('span', { class: 'pct' }, `${pct}% · ${t.votes(votes)}`),
            bar,
          );
        }),
      ),
      h('p', { class: 'poll-note' }, t.people(p.results!.voters)),
    );
  }

  private form(): HTMLFormElement {
    const { t } = this.ctx;
    const p = this.poll;
    const multiple = p.kind === 'multiple';
    const mine = new Set(p.myVote ?? []);
    const name = uid('choice');
    const inputs = p.options.map((o) => {
      const input = h('input', { type: multiple ? 'checkbox' : 'radio', name, value: o.id, id: uid('opt') });
      input.checked = mine.has(o.id);
      return h('label', { class: 'choice', for: input.id }, input, h('span', {}, o.label));
    });
    const form = h(
      'form',
      { class: 'poll-form', novalidate: true },
      h('fieldset', {}, h('legend', { class: 'poll-note' }, multiple && p.maxChoices > 1 ? t.chooseUpTo(p.maxChoices) : t.chooseOne), inputs),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary' }, t.vote),
        this.changing && h('button', { type: 'button', class: 'link', onclick: () => this.cancelChange() }, t.cancel),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const chosen = Array.from(form.querySelectorAll<HTMLInputElement>('input:checked'), (i) => i.value);
      void this.vote(chosen);
    });
    return form;
  }

  private startChange(): void {
    this.changing = true;
    this.render();
    this.content.querySelector<HTMLInputElement>('input:checked, input')?.focus();
  }

  private cancelChange(): void {
    this.changing = false;
    this.render();
  }

  private async send(run: () => Promise<PollView>, said: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    clear(this.alert);
    this.el.setAttribute('aria-busy', 'true');
    try {
      this.poll = await run();
      this.changing = false;
      this.ctx.announce(said);
    } catch (err) {
      this.alert.append(h('p', {}, (err as Error).message));
    } finally {
      this.busy = false;
      this.el.removeAttribute('aria-busy');
      this.render();
      if (!this.alert.firstChild) this.content.querySelector<HTMLElement>('button, input')?.focus();
    }
  }

  private async vote(optionIds: string[]): Promise<void> {
    if (!optionIds.length) {
      clear(this.alert);
      this.alert.append(h('p', {}, this.ctx.t.chooseFirst));
      return;
    }
    await this.send(async () => {
      const res = await this.ctx.api<{ poll: PollView; commenterToken?: string }>('PUT', `/polls/${this.poll.id}/vote`, { optionIds });
      if (res.commenterToken) this.ctx.store.setToken(res.commenterToken);
      return res.poll;
    }, this.ctx.t.voted);
  }

  private async withdraw(): Promise<void> {
    await this.send(async () => (await this.ctx.api<{ poll: PollView }>('DELETE', `/polls/${this.poll.id}/vote`)).poll, this.ctx.t.withdrawn);
  }
}

/** The same ballot, whichever copy of it (a live update and a fresh read each bring their own). */
function sameVote(a: string[] | null | undefined, b: string[] | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  return a.length === b.length && a.every((id) => b.includes(id));
}
