/**
 * A tiny element builder. Text always goes in as text nodes, never as markup; the one place HTML is
 * parsed is `safeHtml`, for comment bodies the server has already rendered and sanitised.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

type TrustedTypesLike = { createPolicy(name: string, rules: { createHTML(s: string): string }): { createHTML(s: string): unknown } };
let policy: { createHTML(s: string): unknown } | null | undefined;

/** On pages that enforce Trusted Types, the parse goes through a named policy (`parley`). */
function trusted(html: string): unknown {
  if (policy === undefined) {
    policy = null;
    const tt = (window as unknown as { trustedTypes?: TrustedTypesLike }).trustedTypes;
    try {
      if (tt) policy = tt.createPolicy('parley', { createHTML: (s) => s });
    } catch {
      /* the page does not allow our policy name; plain strings may still be accepted */
    }
  }
  return policy ? policy.createHTML(html) : html;
}

const ALLOWED: Record<string, string[]> = { P: [], BR: [], EM: [], STRONG: [], CODE: [], BLOCKQUOTE: [], A: ['href'] };

/**
 * Defence in depth for comment bodies: the server renders and sanitises them, and the widget keeps
 * only the same small set of elements again, so even a compromised or buggy server cannot run script
 * on the publisher's page. Parsing in an inert <template> runs nothing and loads nothing.
 */
export function safeHtml(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = trusted(html) as string;
  const walk = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) continue;
      if (child.nodeType !== Node.ELEMENT_NODE) {
        child.remove();
        continue;
      }
      const el = child as Element;
      const allowed = ALLOWED[el.tagName];
      if (!allowed) {
        // Unknown elements become their text, so nothing a reader wrote disappears silently.
        el.replaceWith(document.createTextNode(el.textContent ?? ''));
        continue;
      }
      for (const attr of Array.from(el.attributes)) {
        if (!allowed.includes(attr.name)) el.removeAttribute(attr.name);
      }
      if (el.tagName === 'A') {
        const href = el.getAttribute('href') ?? '';
        if (!/^(https?:\/\/|mailto:)/i.test(href)) el.removeAttribute('href');
        el.setAttribute('rel', 'nofollow ugc noopener noreferrer');
        el.setAttribute('target', '_blank');
      }
      walk(el);
    }
  };
  walk(template.content);
  return template.content;
}

/** A website is shown as a link only when it is a plain http(s) URL. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

let counter = 0;
export function uid(prefix: string): string {
  counter += 1;
  return `parley-${prefix}-${counter}`;
}
