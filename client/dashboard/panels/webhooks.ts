import { qs } from '../api';
import { clear, h } from '../dom';
import type { Panel } from '../context';
import type { DeliveryView, WebhookView } from '../types';

const EVENTS = ['comment.created', 'comment.approved', 'comment.rejected', 'comment.spam', 'comment.edited', 'comment.deleted', 'comment.flagged', 'comment.featured', 'thread.created', 'thread.closed', 'thread.reopened', 'poll.closed', 'ban.created', 'commenter.erased'];

/**
 * A site's webhook endpoints (admins): added (the secret shown once), switched on and off, rotated,
 * removed; the delivery log of one, with "send again"; and which member each Slack user decides as.
 * An endpoint switched off after three days of failures says so in its row.
 */
export const webhooksPanel: Panel = (ctx, mount) => {
  const w = ctx.t.webhooks;
  const base = `/sites/${ctx.site.id}`;
  const list = h('div', {});
  const log = h('div', {});
  const shown = h('div', { class: 'secret', role: 'status' });
  mount.append(h('section', { 'aria-labelledby': 'wh-title' }, h('h1', { id: 'wh-title' }, w.title), list, addForm(), shown, log, slackForm()));

  const act = (method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
    ctx.api.send<{ secret?: string }>(method, path, body).then((r) => {
      clear(shown);
      if (r?.secret) shown.append(h('p', {}, w.secretOnce), h('code', {}, r.secret));
      return load();
    }, ctx.fail);

  function addForm(): HTMLFormElement {
    const kind = h('select', { 'aria-label': w.kind }, (['standard', 'slack'] as const).map((k) => h('option', { value: k }, w.kinds[k])));
    const url = h('input', { type: 'url', 'aria-label': w.url, placeholder: w.url, required: true });
    const description = h('input', { type: 'text', 'aria-label': w.description, placeholder: w.description });
    const signing = h('input', { type: 'text', 'aria-label': w.signingSecret, placeholder: w.signingSecret });
    const boxes = EVENTS.map((e) => h('label', {}, h('input', { type: 'checkbox', value: e, checked: true }), ` ${e}`));
    const f = h('form', { class: 'settings' }, h('h2', {}, w.add), kind, url, description, signing, h('fieldset', {}, h('legend', {}, w.events), boxes), h('button', { type: 'submit', class: 'primary' }, w.add));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const events = boxes.map((b) => b.querySelector('input')!).filter((i) => i.checked).map((i) => i.value);
      const body = kind.value === 'slack' ? { kind: 'slack', url: url.value, signingSecret: signing.value, description: description.value } : { url: url.value, events, description: description.value };
      void act('POST', `${base}/webhooks`, body).then(() => ctx.status.say(w.added));
    });
    return f;
  }

  function slackForm(): HTMLFormElement {
    const user = h('input', { type: 'text', 'aria-label': w.slackUser, placeholder: 'U0…' });
    const memberId = h('input', { type: 'text', 'aria-label': w.member, placeholder: w.member });
    const f = h('form', { class: 'settings' }, h('h2', {}, w.slackLinks), user, memberId, h('button', { type: 'submit' }, w.link));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      ctx.api.send('PUT', `${base}/slack/links`, { slackUserId: user.value.trim(), memberId: memberId.value.trim() }).then(() => ctx.status.say(ctx.t.saved), ctx.fail);
    });
    return f;
  }

  async function showLog(hook: WebhookView, failedOnly: boolean): Promise<void> {
    const { items } = await ctx.api.get<{ items: DeliveryView[] }>(`${base}/webhooks/${hook.id}/deliveries${qs({ status: failedOnly ? 'failed' : undefined })}`);
    const toggle = h('label', {}, h('input', { type: 'checkbox', checked: failedOnly, onchange: () => void showLog(hook, !failedOnly).catch(ctx.fail) }), ` ${w.onlyFailed}`);
    const c = w.columns;
    const rows = items.map((d) =>
      h('tr', {}, h('td', {}, new Date(d.createdAt).toLocaleString(ctx.lang)), h('td', {}, d.type), h('td', {}, String(d.attempt)), h('td', {}, d.statusCode === null ? '—' : String(d.statusCode)), h('td', {}, d.latencyMs === null ? '' : String(d.latencyMs)), h('td', {}, d.error ?? ''),
        h('td', {},
          h('button', { type: 'button', onclick: () => ctx.api.send('POST', `${base}/webhooks/${hook.id}/deliveries/${d.id}/retry`).then(() => ctx.status.say(w.queued), ctx.fail) }, w.sendAgain),
          // A failing event first in its thread's queue holds the ones behind it: an admin may give up on it.
          d.ok ? null : h('button', { type: 'button', onclick: () => ctx.api.send('POST', `${base}/webhooks/${hook.id}/deliveries/${d.id}/skip`).then(() => (ctx.status.say(w.skipped), showLog(hook, failedOnly)), ctx.fail) }, w.skip))),
    );
    clear(log);
    log.append(h('h2', {}, `${w.deliveries}: ${hook.url}`), toggle, items.length ? h('table', {}, h('thead', {}, h('tr', {}, [c.when, c.type, c.attempt, c.status, c.latency, c.error, ''].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)) : h('p', {}, w.noDeliveries));
  }

  async function load(): Promise<void> {
    const { items } = await ctx.api.get<{ items: WebhookView[] }>(`${base}/webhooks`);
    clear(list);
    if (!items.length) return void list.append(h('p', {}, w.none));
    const path = (x: WebhookView) => `${base}/webhooks/${x.id}`;
    const rows = items.map((x) =>
      h('tr', { class: x.enabled ? '' : 'retired' },
        h('td', {}, w.kinds[x.kind]), h('td', {}, x.url), h('td', {}, x.description),
        h('td', {}, x.enabled ? w.on : x.switchedOffReason ? `${w.switchedOff}: ${x.switchedOffReason}` : w.off),
        h('td', {},
          h('button', { type: 'button', onclick: () => act('PATCH', path(x), { enabled: !x.enabled }) }, x.enabled ? w.switchOff : w.switchOn),
          h('button', { type: 'button', onclick: () => act('POST', `${path(x)}/rotate`) }, w.rotate),
          h('button', { type: 'button', onclick: () => void showLog(x, false).catch(ctx.fail) }, w.deliveries),
          h('button', { type: 'button', onclick: () => act('DELETE', path(x)) }, w.remove))),
    );
    list.append(h('table', {}, h('tbody', {}, rows)));
  }
  void load().catch(ctx.fail);
};
