import type { RequestHandler } from 'express';
import { buildOpenApi } from './openapi';

/**
 * /api/docs: the OpenAPI document rendered to one HTML page on the server. No script, no font, no
 * stylesheet from anywhere else: it works offline and under the strictest Content-Security-Policy.
 */
type Json = Record<string, any>;

const esc = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Inline code spans in descriptions (`like this`), on already escaped text. */
const prose = (text: unknown) => esc(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');

const refName = (ref: string) => ref.split('/').pop()!;

function typeOf(s: Json): string {
  if (!s || typeof s !== 'object') return 'any';
  if (s.$ref) return `<a href="#schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.const !== undefined) return `<code>${esc(JSON.stringify(s.const))}</code>`;
  if (s.enum) return s.enum.map((v: unknown) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeOf).join(' or ');
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const parts = types.map((t) => {
    if (t === 'array') return `array of ${typeOf(s.items)}`;
    if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      return `map of ${typeOf(s.additionalProperties)}`;
    }
    return esc(t);
  });
  const limits = [
    s.minLength !== undefined && `min ${s.minLength} chars`,
    s.maxLength !== undefined && `max ${s.maxLength} chars`,
    s.minimum !== undefined && `≥ ${s.minimum}`,
    s.maximum !== undefined && `≤ ${s.maximum}`,
    s.maxItems !== undefined && `≤ ${s.maxItems} items`,
    s.format && s.format,
    s.pattern && `pattern ${s.pattern}`,
    s.default !== undefined && `default ${JSON.stringify(s.default)}`,
  ].filter(Boolean);
  return (parts.join(' or ') || 'any') + (limits.length ? ` <span class="muted">(${esc(limits.join(', '))})</span>` : '');
}

function fields(s: Json): string {
  if (!s || s.type !== 'object' || !s.properties) return `<p>${typeOf(s)}</p>`;
  const required = new Set<string>(s.required ?? []);
  const rows = Object.entries<Json>(s.properties).map(([name, prop]) => {
    const nested = prop.type === 'object' && prop.properties ? fields(prop) : '';
    return `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td>
      <td>${typeOf(prop)}</td><td>${prose(prop.description)}${nested}</td></tr>`;
  });
  return `<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function operation(path: string, method: string, op: Json): string {
  const params = (op.parameters ?? []) as Json[];
  const paramRows = params
    .map(
      (p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td>
        <td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${prose(p.description ?? p.schema?.description)}</td></tr>`,
    )
    .join('');
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries<Json>(op.responses)
    .map(([status, r]) => {
      const schema = r.content?.['application/json']?.schema;
      const detail = Number(status) < 300 && schema ? fields(schema) : '';
      return `<li><strong>${esc(status)}</strong> ${prose(r.description)}${detail}</li>`;
    })
    .join('');
  const auth = !op.security?.length ? 'no token' : op.security.length > 1 ? 'token optional' : 'token required';
  return `<section class="op" id="${esc(op.operationId)}">
    <h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
    <p><strong>${prose(op.summary)}</strong> <span class="muted">· ${auth}</span></p>
    ${op.description ? `<p>${prose(op.description)}</p>` : ''}
    ${paramRows ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr></thead><tbody>${paramRows}</tbody></table>` : ''}
    ${body ? `<h4>Body (JSON)</h4>${fields(body)}` : ''}
    <h4>Responses</h4><ul>${responses}</ul>
  </section>`;
}

export function renderDocs(spec: Json): string {
  const byTag = new Map<string, string[]>();
  const toc: string[] = [];
  for (const [path, methods] of Object.entries<Json>(spec.paths)) {
    for (const [method, op] of Object.entries<Json>(methods)) {
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operation(path, method, op));
      toc.push(`<li><a href="#${esc(op.operationId)}"><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> ${esc(path)}</a></li>`);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('')}`).join('');
  const schemas = Object.entries<Json>(spec.components?.schemas ?? {})
    .map(([name, s]) => `<section class="op" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${fields(s)}</section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(spec.info.title)}</title>
<style>
  :root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #5b6470; --line: #d8dde3; --code: #f3f5f7; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e9ed; --bg: #15181c; --muted: #9aa4af; --line: #333a42; --code: #20252b; } }
  body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 4rem; }
  code { background: var(--code); padding: 0 .25em; border-radius: 3px; font-size: .92em; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { font-weight: 600; color: var(--muted); }
  .op { border-top: 1px solid var(--line); padding: .75rem 0; }
  .method { display: inline-block; min-width: 4.2em; font: 700 .8em/1.6 ui-monospace, monospace; text-align: center; border-radius: 3px; color: #fff; background: #57606a; }
  .get { background: #0b6bcb; } .post { background: #1a7f37; } .put, .patch { background: #9a6700; } .delete { background: #cf222e; }
  .muted { color: var(--muted); } .req { color: #cf222e; font-size: .8em; }
  nav ul { columns: 2; list-style: none; padding: 0; } nav a { text-decoration: none; }
</style></head>
<body>
<h1>${esc(spec.info.title)}</h1>
<p>${prose(spec.info.description)}</p>
<p>Base URL <code>${esc(spec.servers?.[0]?.url ?? '/api/v1')}</code> · machine-readable: <a href="/api/v1/openapi.json">OpenAPI ${esc(spec.openapi)}</a></p>
<nav><ul>${toc.join('')}</ul></nav>
${sections}
<h2>Schemas</h2>${schemas}
</body></html>`;
}

// Built once, on first request: the document depends only on the code.
let spec: Json | undefined;
let html: string | undefined;
const getSpec = () => (spec ??= buildOpenApi());

export const openApiJson: RequestHandler = (_req, res) => {
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.json(getSpec());
};

export const apiDocsPage: RequestHandler = (_req, res) => {
  html ??= renderDocs(getSpec());
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.type('html').send(html);
};
