import { qs } from '../api';
import { canModerate, type Ctx, type Panel } from '../context';
import { h, safeUrl } from '../dom';
import { formatDate } from '../i18n';
import { field, showErrors } from '../fields';
import type { Page, PresetView, ThreadInfo } from '../types';
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
  // Moderators apply the site's presets to a thread; read once for the panel.
  const presets = canModerate(ctx.site.role) ? ctx.api.get<{ items: PresetView[] }>(`/sites/${ctx.site.id}/presets`).then((r) => r.items, () => []) : Promise.resolve([]);
  mount.append(h('section', { 'aria-labelledby': 'threads-title' }, h('h1', { id: 'threads-title' }, t.threadsTitle), list, empty, more));

  const load = () =>
    ctx.api.get<Page<ThreadInfo>>(`/moderation/threads${qs({ site: ctx.site.id, limit: 25, cursor })}`).then((page) => {
      list.append(...page.items.map((th) => threadItem(ctx, th, presets)));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
    }, ctx.fail);
  more.addEventListener('click', () => void load());
  void load();
};

function threadItem(ctx: Ctx, thread: ThreadInfo, presets: Promise<PresetView[]>): HTMLLIElement {
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
  // A preset or a new schedule changes several settings at once: the thread is drawn again.
  const redraw = (updated: ThreadInfo, focus: string) => {
    const fresh = threadItem(ctx, { ...thread, ...updated, polls: thread.polls }, presets);
    item.replaceWith(fresh);
    fresh.querySelector<HTMLElement>(focus)?.focus();
  };
  const heat = canModerate(ctx.site.role) ? [presetControl(ctx, thread, presets, redraw), scheduleForm(ctx, thread, redraw)] : null;

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
  const item = h(
    'li',
    {},
    h(
      'article',
      { 'aria-labelledby': headingId, class: 'thread' },
      h('h2', { id: headingId }, url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, title) : title),
      h('p', { class: 'meta' }, state, ` · ${t.comments(thread.commentCount)} · ${formatDate(thread.createdAt, ctx.lang)} · `, h('code', {}, thread.key), scheduleText(ctx, thread)),
      h('p', { class: 'buttons' }, canModerate(ctx.site.role) ? toggle : null, show),
      slow,
      format,
      heat,
      commentsBox,
      h('h3', {}, t.polls),
      polls,
      h('details', {}, h('summary', {}, t.newPoll), pollForm(ctx, thread.id, (poll) => polls.addPoll(poll))),
    ),
  );
  return item;
}

/** The thread's close and reopen times and links, as the meta line says them. */
function scheduleText(ctx: Ctx, thread: ThreadInfo): string {
  const s = ctx.t.schedule;
  const parts = [
    thread.closesAt ? s.closes(formatDate(thread.closesAt, ctx.lang)) : '',
    thread.reopensAt ? s.reopens(formatDate(thread.reopensAt, ctx.lang)) : '',
    thread.linksAllowed === false ? s.noLinks : '',
  ].filter(Boolean);
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

/** One of the site's presets, applied to the thread in one action. */
function presetControl(ctx: Ctx, thread: ThreadInfo, presets: Promise<PresetView[]>, redraw: (t: ThreadInfo, focus: string) => void): HTMLElement {
  const p = ctx.t.presets;
  const id = `preset-${thread.id}`;
  const select = h('select', { id }, h('option', { value: '' }, p.choose));
  const apply = h('button', { type: 'button', class: 'apply-preset' }, p.apply);
  const box = h('p', { class: 'preset', hidden: true }, h('label', { for: id }, `${p.applyLabel} `), select, ' ', apply);
  void presets.then((items) => {
    select.append(...items.map((x) => h('option', { value: x.id }, x.name)));
    box.hidden = items.length === 0;
  });
  apply.addEventListener('click', () => {
    const chosen = select.selectedOptions[0];
    if (!select.value || !chosen) return void select.focus();
    apply.disabled = true;
    ctx.api
      .send<{ thread: ThreadInfo }>('POST', `/threads/${thread.id}/preset`, { presetId: select.value })
      .then(({ thread: updated }) => {
        ctx.status.say(p.applied(chosen.textContent ?? ''));
        redraw(updated, 'button.apply-preset');
      }, ctx.fail)
      .finally(() => (apply.disabled = false));
  });
  return box;
}

/** A time as a datetime-local field shows it (the member's own time zone), and back. */
const localValue = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const isoValue = (local: string) => (local ? new Date(local).toISOString() : null);

/** The thread's close and reopen times and whether links are allowed; refusals shown at their field. */
function scheduleForm(ctx: Ctx, thread: ThreadInfo, redraw: (t: ThreadInfo, focus: string) => void): HTMLElement {
  const s = ctx.t.schedule;
  const closes = h('input', { type: 'datetime-local', value: localValue(thread.closesAt) });
  const reopens = h('input', { type: 'datetime-local', value: localValue(thread.reopensAt) });
  const links = h('input', { type: 'checkbox', checked: thread.linksAllowed !== false });
  const save = h('button', { type: 'submit', class: 'save-schedule' }, s.save);
  const linksId = `links-${thread.id}`;
  links.id = linksId;
  const f = h(
    'form',
    { class: 'schedule', novalidate: true },
    field(s.closesAt, closes, 'closesAt'),
    field(s.reopensAt, reopens, 'reopensAt'),
    h('p', { class: 'field' }, links, ' ', h('label', { for: linksId }, s.linksAllowed)),
    save,
  );
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    showErrors(f, null);
    save.disabled = true;
    ctx.api
      .send<{ thread: ThreadInfo }>('PATCH', `/threads/${thread.id}`, { closesAt: isoValue(closes.value), reopensAt: isoValue(reopens.value), linksAllowed: links.checked })
      .then(
        ({ thread: updated }) => {
          ctx.status.say(s.saved);
          redraw(updated, 'details.schedule-box > summary');
        },
        (err: unknown) => {
          ctx.fail(err);
          showErrors(f, err);
        },
      )
      .finally(() => (save.disabled = false));
  });
  return h('details', { class: 'schedule-box' }, h('summary', {}, s.title), f);
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
