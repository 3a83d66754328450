import { mount } from './widget';

/**
 * embed.js: renders Parley into every `<div data-parley data-site data-key>` on the page. Parley's
 * address is taken from this script's own URL, so the widget talks to the server that served it and
 * to nothing else.
 */
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).find((s) => /\/embed\.js(\?|$)/.test(s.src));
const origin = new URL(script?.src ?? location.href, location.href).origin;
const mounted = new WeakSet<Element>();

function mountAll(): void {
  document.querySelectorAll<HTMLElement>('[data-parley]').forEach((el) => {
    if (mounted.has(el)) return;
    mounted.add(el);
    void mount(el, origin);
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
else mountAll();
