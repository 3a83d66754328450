import { ApiError, qs } from '../api';
import { confirmDialog } from '../confirm';
import type { Ctx, Panel } from '../context';
import { h } from '../dom';
import { formatDate } from '../i18n';
import type { PrivacyRequest } from '../types';

const listPath = (ctx: Ctx) => `/moderation/privacy-requests${qs({ site: ctx.site.id })}`;

/** Whether this Parley lists lost-token requests for staff (older servers answer 404). */
export async function privacyAvailable(ctx: Ctx): Promise<boolean> {
  try {
    await ctx.api.get(listPath(ctx));
    return true;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) ctx.fail(err);
    return false;
  }
}

/**
 * Readers who lost their token and asked by email, when no mail transport is configured: an admin
 * carries out each request in one click. An export is handed over as a JSON download.
 */
export const privacyPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const list = h('ul', { class: 'requests' });
  const empty = h('p', { class: 'empty', hidden: true }, t.noRequests);
  mount.append(h('section', { 'aria-labelledby': 'privacy-title' }, h('h1', { id: 'privacy-title' }, t.requestsTitle), list, empty));

  const item = (r: PrivacyRequest) => {
    const go = h('button', { type: 'button' }, t.carryOut);
    go.setAttribute('aria-label', `${t.carryOut}: ${t.kinds[r.kind]} ${r.email ?? ''}`.trim());
    const li = h(
      'li',
      {},
      h('strong', {}, t.kinds[r.kind]),
      ` · ${r.email ?? ''} · ${t.identities(r.identities)} · ${formatDate(r.createdAt, ctx.lang)} `,
      go,
    );
    go.addEventListener('click', async () => {
      if (r.kind === 'erase' && !(await confirmDialog(t, t.confirmErase(r.email ?? ''), t.kinds.erase!))) return;
      go.disabled = true;
      ctx.api.send<unknown>('POST', `/moderation/privacy-requests/${r.id}/complete`).then(
        (result) => {
          if (r.kind === 'export') download(result, `parley-export-${r.id}.json`);
          li.remove();
          empty.hidden = list.children.length > 0;
          ctx.status.say(t.requestDone[r.kind]!);
        },
        (err: unknown) => {
          go.disabled = false;
          ctx.fail(err);
        },
      );
    });
    return li;
  };

  ctx.api.get<{ items: PrivacyRequest[] }>(listPath(ctx)).then(({ items }) => {
    list.append(...items.map(item));
    empty.hidden = items.length > 0;
  }, ctx.fail);
};

/** Hands a JSON document to the browser as a file, without any request. */
function download(data: unknown, filename: string): void {
  const doc = (data as { export?: unknown; document?: unknown } | null)?.export ?? (data as { document?: unknown } | null)?.document ?? data;
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
