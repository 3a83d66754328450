import type { Ctx } from './context';
import { clear, h, uid } from './dom';

interface Policy {
  title: string;
  summary: string;
  items: Array<{ id: string; title: string; what: string; why: string; howLong: string }>;
  never: string[];
}

/** The "Your data" button and its panel, made by the widget (widget.ts); this module fills the panel. */
export interface YourDataParts {
  panel: HTMLElement;
  toggle: HTMLElement;
  erased: () => void;
}

/**
 * "Your data": what the site keeps, why and for how long, in the server's plain words; and, for a
 * reader this browser holds a token for, the download, the erasure and the "show my vote" choice.
 * After an erasure the browser forgets the token and the remembered profile. Its own module, loaded
 * when a reader first opens the panel: few readers do, and the thread's first paint need not wait.
 */
export function openYourData(ctx: Ctx, { panel, toggle, erased }: YourDataParts, show: boolean): Promise<void> {
  const { t, api, store } = ctx;
  const alert = h('div', { class: 'alert', role: 'alert' });
  const fail = (err: unknown) => {
    clear(alert);
    alert.append(h('p', {}, (err as Error).message));
  };

  async function open(show: boolean): Promise<void> {
    panel.hidden = !show;
    toggle.setAttribute('aria-expanded', String(show));
    if (!show) return;
    clear(panel);
    clear(alert);
    try {
      const { privacy } = await api<{ privacy: Policy }>('GET', `/privacy?${new URLSearchParams({ site: ctx.thread.siteId, lang: ctx.lang })}`);
      const heading = h('h3', { tabindex: -1 }, privacy.title);
      panel.append(
        heading,
        h('p', {}, privacy.summary),
        h('dl', {}, privacy.items.flatMap((i) => [h('dt', {}, i.title), h('dd', {}, `${i.what} ${i.why} ${i.howLong}`)])),
        h('ul', {}, privacy.never.map((n) => h('li', {}, n))),
        await controls(),
        alert,
        h('button', { type: 'button', class: 'link', onclick: () => void open(false).then(() => toggle.focus()) }, t.close),
      );
      heading.focus();
    } catch (err) {
      fail(err);
      panel.append(alert);
    }
  }

  async function controls(): Promise<HTMLElement> {
    if (!store.token()) return h('p', { class: 'muted' }, t.noData);
    const box = h('input', { type: 'checkbox', id: uid('sv') });
    try {
      box.checked = (await api<{ commenter: { showVote: boolean } }>('GET', '/me')).commenter.showVote;
    } catch (err) {
      fail(err);
    }
    box.addEventListener('change', () => {
      clear(alert);
      api('PATCH', '/me', { showVote: box.checked }).catch((err: unknown) => {
        box.checked = !box.checked;
        fail(err);
      });
    });
    const confirm = h('div', { class: 'note' }, h('p', {}, t.eraseSure), h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary danger', onclick: () => void erase() }, t.erase), h('button', { type: 'button', class: 'link', onclick: () => (confirm.hidden = true) }, t.cancel)));
    confirm.hidden = true;
    return h(
      'div',
      {},
      h('div', { class: 'remember' }, box, h('label', { for: box.id }, t.showVote)),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', onclick: () => void download() }, t.download),
        h('button', { type: 'button', class: 'secondary', onclick: () => ((confirm.hidden = false), confirm.querySelector('button')!.focus()) }, t.erase),
      ),
      confirm,
    );
  }

  async function download(): Promise<void> {
    try {
      const data = await api<unknown>('GET', '/me/export');
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = h('a', { href: url, download: `parley-data-${new Date().toISOString().slice(0, 10)}.json` });
      panel.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      fail(err);
    }
  }

  async function erase(): Promise<void> {
    try {
      await api('DELETE', '/me');
    } catch (err) {
      return fail(err);
    }
    store.setToken(null);
    store.setProfile(null);
    erased();
    await open(true);
    ctx.announce(t.erased);
    panel.prepend(h('p', { class: 'note', role: 'status' }, t.erased));
  }

  return open(show);
}
