import { pickLang } from './lang';

const label = {
  en: (n: number) => (n === 0 ? 'No comments' : n === 1 ? '1 comment' : `${n} comments`),
  fr: (n: number) => (n === 0 ? 'Aucun commentaire' : n === 1 ? '1 commentaire' : `${n} commentaires`),
};

/**
 * count.js: fills every `<span data-parley-count data-site data-key>` with its thread's comment
 * count, in one request per site (almost always one per page). `data-parley-count="number"` shows the
 * bare number instead of "12 comments".
 */
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).find((s) => /\/count\.js(\?|$)/.test(s.src));
const origin = new URL(script?.src ?? location.href, location.href).origin;

async function fill(): Promise<void> {
  const bySite = new Map<string, HTMLElement[]>();
  document.querySelectorAll<HTMLElement>('[data-parley-count][data-site][data-key]').forEach((el) => {
    const site = el.getAttribute('data-site')!;
    bySite.set(site, [...(bySite.get(site) ?? []), el]);
  });
  await Promise.all(
    Array.from(bySite, async ([site, els]) => {
      const q = new URLSearchParams({ site });
      for (const key of new Set(els.map((el) => el.getAttribute('data-key')!))) q.append('key', key);
      try {
        const res = await fetch(`${origin}/api/v1/counts?${q}`, { credentials: 'omit', headers: { Accept: 'application/json' } });
        if (!res.ok) return;
        const { counts } = (await res.json()) as { counts: Record<string, number> };
        for (const el of els) {
          const n = counts[el.getAttribute('data-key')!];
          if (typeof n !== 'number') continue;
          el.textContent = el.getAttribute('data-parley-count') === 'number' ? String(n) : label[pickLang(el)](n);
        }
      } catch {
        /* counts are decoration: a failure leaves the publisher's fallback text in place */
      }
    }),
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void fill());
else void fill();
