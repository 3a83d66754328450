import { countLinks, renderBody } from '../../server/comments/comment.render';

/** Payloads from public XSS cheat sheets; none may produce a script, handler or dangerous URL. */
const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java\tscript:alert(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](vbscript:msgbox(1))',
  '<a href="javascript:alert(1)">x</a>',
  '![x](javascript:alert(1))',
  '<iframe src="https://evil.example"></iframe>',
  '"><script>alert(1)</script>',
  '<details open ontoggle=alert(1)>',
  '[x](https://ok.example "title" onmouseover=alert(1))',
  '`<script>alert(1)</script>`',
  '> <script>alert(1)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<style>body{display:none}</style>',
  '[x](//evil.example)',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
];

describe('comment rendering', () => {
  it.each(XSS)('neutralises %s', (payload) => {
    const html = renderBody(payload);
    expect(html).not.toMatch(/<(script|img|svg|iframe|style|details|math|table)/i);
    expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(html).not.toMatch(/<a\s[^>]*href="(?!https?:\/\/|mailto:)/i);
  });

  it('renders the Markdown subset readers use', () => {
    expect(renderBody('*emphasis* and **strong**')).toBe('<p><em>emphasis</em> and <strong>strong</strong></p>');
    expect(renderBody('line one\nline two')).toBe('<p>line one<br />\nline two</p>');
    expect(renderBody('> quoted reader\n\nmy answer')).toBe('<blockquote>\n<p>quoted reader</p>\n</blockquote>\n<p>my answer</p>');
    expect(renderBody('use `rm -rf`')).toBe('<p>use <code>rm -rf</code></p>');
  });

  it('keeps http(s) and mailto links, marked nofollow ugc noopener', () => {
    const html = renderBody('see https://nakedsecurity.example/rapil and [mail](mailto:editor@news.example)');
    expect(html).toContain('<a href="https://nakedsecurity.example/rapil" rel="nofollow ugc noopener">');
    expect(html).toContain('<a href="mailto:editor@news.example" rel="nofollow ugc noopener">mail</a>');
    expect(countLinks(html)).toBe(2);
  });

  it('shows headings, images and tables as the text that was typed', () => {
    expect(renderBody('# Title')).toBe('<p># Title</p>');
    expect(renderBody('![alt](https://x.example/a.png)')).not.toContain('<img');
  });
});
