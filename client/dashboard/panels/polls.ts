import type { Ctx } from '../context';
import { h, uid } from '../dom';
import type { Poll } from '../types';

/** A thread's polls, each with its answers' votes and a button to close or reopen it. */
export function pollList(ctx: Ctx, polls: Poll[]): HTMLElement & { addPoll(poll: Poll): void } {
  const { t } = ctx;
  const list = h('ul', { class: 'polls' });
  const item = (poll: Poll): HTMLLIElement => {
    const toggle = h('button', { type: 'button' }, poll.state === 'open' ? t.closePoll : t.reopenPoll);
    const li = h(
      'li',
      {},
      h('p', { class: 'question' }, poll.question, ` (${poll.state === 'open' ? t.open : t.closed})`),
      h('ul', {}, poll.options.map((o) => h('li', {}, o.label, o.votes !== undefined ? ` — ${t.votes(o.votes)}` : ''))),
      toggle,
    );
    toggle.addEventListener('click', () => {
      toggle.disabled = true;
      ctx.api.send<{ poll: Poll }>('PATCH', `/polls/${poll.id}`, { closed: poll.state === 'open' }).then(
        ({ poll: next }) => {
          ctx.status.say(next.state === 'open' ? t.pollReopened : t.pollClosed);
          const replacement = item(next);
          li.replaceWith(replacement);
          replacement.querySelector('button')?.focus();
        },
        (err: unknown) => {
          toggle.disabled = false;
          ctx.fail(err);
        },
      );
    });
    return li;
  };
  list.append(...polls.map(item));
  return Object.assign(list, { addPoll: (poll: Poll) => list.append(item(poll)) });
}

/** The new-poll form: a question, 2 to 20 answers, single or multiple choice. */
export function pollForm(ctx: Ctx, threadId: string, onCreated: (poll: Poll) => void): HTMLFormElement {
  const { t } = ctx;
  const ids = { q: uid('question'), o: uid('options'), m: uid('multiple') };
  const question = h('input', { id: ids.q, type: 'text', required: true, maxlength: 500 });
  const options = h('textarea', { id: ids.o, rows: 4, required: true });
  const multiple = h('input', { id: ids.m, type: 'checkbox' });
  const submit = h('button', { type: 'submit' }, t.createPoll);
  const form = h(
    'form',
    { class: 'poll-form', 'aria-label': t.newPoll },
    h('p', { class: 'field' }, h('label', { for: ids.q }, t.question), question),
    h('p', { class: 'field' }, h('label', { for: ids.o }, t.pollOptions), options),
    h('p', { class: 'check' }, multiple, h('label', { for: ids.m }, t.multiple)),
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    const answers = options.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    ctx.api
      .send<{ poll: Poll }>('POST', `/threads/${threadId}/polls`, { question: question.value, options: answers, kind: multiple.checked ? 'multiple' : 'single' })
      .then(
        ({ poll }) => {
          ctx.status.say(t.pollCreated);
          form.reset();
          onCreated(poll);
        },
        (err: unknown) => ctx.fail(err),
      )
      .finally(() => (submit.disabled = false));
  });
  return form;
}
