import { qs } from '../api';
import { canModerate, type Ctx, type Panel } from '../context';
import { h, safeUrl } from '../dom';
import { formatDate } from '../i18n';
import type { Page, ThreadInfo } from '../types';
import { pollForm, pollList } from './polls';
import { threadComments } from './thread-comments';
import { formatControl } from './formats';

/** The site's threads, newest first: open or close commenting, run polls, answer readers. */
export const threadsPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const list = h('ul', { class: 'threads' });
  const more = h('button', { type: 'button', hidden: true }, t.loadMore);
  const empty = h('p', { class: 'empty', hidden: true }, t.noThreads);
  let cursor: string | null = null;
  mount.append(h('section', { 'aria-labelledby': 'threads-title' }, h('h1', { id: 'threads-title' }, t.threadsTitle), list, empty, more));

  const load = () =>
    ctx.api.get<Page<ThreadInfo>>(`/moderation/threads${qs({ site: ctx.site.id, limit: 25, cursor })}`).then((page) => {
      list.append(...page.items.map((th) => threadItem(ctx, th)));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
    }, ctx.fail);
  more.addEventListener('click', () => void load());
  void load();
};

function threadItem(ctx: Ctx, thread: ThreadInfo): HTMLLIElement {
  const { t } = ctx;
  const headingId = `thread-${thread.id}`;
  const title = thread.title || thread.key;
  const url = safeUrl(thread.url);
  const state = h('span', { class: 'state' }, thread.state === 'open' ? t.open : t.closed);
  const toggle = h('button', { type: 'button' }, thread.state === 'open' ? t.closeThread : t.reopenThread);
  toggle.addEventListener('click', () => {
    toggle.disabled = true;
    const next = thread.state === 'open' ? 'closed' : 'open';
    ctx.api.send<{ thread: ThreadInfo }>('PATCH', `/threads/${thread.id}`, { state: next }).then(
      ({ thread: updated }) => {
        thread.state = updated.state;
        state.textContent = updated.state === 'open' ? t.open : t.closed;
        toggle.textContent = updated.state === 'open' ? t.closeThread : t.reopenThread;
        ctx.status.say(updated.state === 'open' ? t.threadReopened : t.threadClosed);
      },
      (err: unknown) => ctx.fail(err),
    ).finally(() => (toggle.disabled = false));
  });

  const slow = canModerate(ctx.site.role) ? slowModeControl(ctx, thread) : null;
  const format = canModerate(ctx.site.role) ? formatControl(ctx, thread) : null;

  const commentsBox = h('div', { class: 'thread-comments', id: `comments-${thread.id}` });
  const show = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': commentsBox.id }, t.showComments);
  show.addEventListener('click', () => {
    if (show.getAttribute('aria-expanded') === 'true') {
      commentsBox.replaceChildren();
      show.setAttribute('aria-expanded', 'false');
      show.textContent = t.showComments;
      return;
    }
    threadComments(ctx, thread.id, thread.format).then((el) => {
      commentsBox.replaceChildren(el);
      show.setAttribute('aria-expanded', 'true');
      show.textContent = t.hideComments;
    }, ctx.fail);
  });

  const polls = pollList(ctx, thread.polls);
  return h(
    'li',
    {},
    h(
      'article',
      { 'aria-labelledby': headingId, class: 'thread' },
      h('h2', { id: headingId }, url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, title) : title),
      h('p', { class: 'meta' }, state, ` · ${t.comments(thread.commentCount)} · ${formatDate(thread.createdAt, ctx.lang)} · `, h('code', {}, thread.key)),
      h('p', { class: 'buttons' }, canModerate(ctx.site.role) ? toggle : null, show),
      slow,
      format,
      commentsBox,
      h('h3', {}, t.polls),
      polls,
      h('details', {}, h('summary', {}, t.newPoll), pollForm(ctx, thread.id, (poll) => polls.addPoll(poll))),
    ),
  );
}

const SLOW_STEPS = [0, 10, 30, 60, 120, 300, 900, 3600];

/** Staff's slow mode for the thread (saved on change, readers see it live), and whether it is on by itself. */
function slowModeControl(ctx: Ctx, thread: ThreadInfo): HTMLElement {
  const { t } = ctx;
  const id = `slow-${thread.id}`;
  const current = thread.slowModeSeconds ?? 0;
  const steps = SLOW_STEPS.includes(current) ? SLOW_STEPS : [...SLOW_STEPS, current].sort((a, b) => a - b);
  const select = h('select', { id }, ...steps.map((s) => h('option', { value: String(s), selected: s === current }, s ? t.slowEvery(s) : t.slowOff)));
  const auto = h('span', { class: 'meta' });
  const showAuto = (mode: ThreadInfo['slowMode']) => (auto.textContent = mode?.automatic ? ` · ${t.slowAuto(mode.seconds)}` : '');
  showAuto(thread.slowMode);
  select.addEventListener('change', () => {
    select.disabled = true;
    const seconds = Number(select.value);
    ctx.api.send<{ thread: ThreadInfo }>('PATCH', `/threads/${thread.id}`, { slowModeSeconds: seconds }).then(
      ({ thread: updated }) => {
        thread.slowModeSeconds = updated.slowModeSeconds;
        showAuto(updated.slowMode);
        ctx.status.say(t.slowSaved(updated.slowModeSeconds ?? 0));
      },
      (err: unknown) => {
        select.value = String(thread.slowModeSeconds ?? 0);
        ctx.fail(err);
      },
    ).finally(() => (select.disabled = false));
  });
  return h('p', { class: 'slow-mode' }, h('label', { for: id }, `${t.slowMode} `), select, auto);
}
