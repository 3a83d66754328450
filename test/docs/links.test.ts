import fs from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

// The README is the front page and docs/ holds the rest: a reader following a link from either
// must land on a page that exists, at a heading that exists.
const ROOT = path.join(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
const pages = ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const md = new MarkdownIt({ html: true });

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

function parse(page: string): Token[] {
  return md.parse(fs.readFileSync(path.join(ROOT, page), 'utf8'), {});
}

/** The anchors GitHub gives a page's headings: the heading's text, slugged, numbered when repeated. */
function anchorsOf(page: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = parse(page);
  const anchors = new Set<string>();
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const text = (tokens[i + 1].children ?? []).map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join('');
    anchors.add(slugger.slug(text));
  });
  return anchors;
}

function linksOf(page: string): string[] {
  const hrefs: string[] = [];
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'link_open') hrefs.push(String(token.attrGet('href') ?? ''));
      if (token.children) walk(token.children);
    }
  };
  walk(parse(page));
  return hrefs;
}

const isExternal = (href: string) => /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');

describe('links in the README and docs/', () => {
  it.each(pages)('%s: every relative link points at a file that exists, and at a heading in it', (page) => {
    const broken: string[] = [];
    for (const href of linksOf(page).filter((h) => !isExternal(h))) {
      const [file, anchor] = href.split('#', 2);
      const target = file ? path.normalize(path.join(path.dirname(page), decodeURIComponent(file))) : page;
      if (!fs.existsSync(path.join(ROOT, target))) {
        broken.push(`${href}: no file ${target}`);
      } else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
        broken.push(`${href}: no heading #${anchor} in ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README links every page in docs/', () => {
    const linked = new Set(linksOf('README.md').map((h) => path.normalize(h.split('#')[0])));
    const unlinked = pages.filter((p) => p.startsWith('docs/') && !linked.has(p));
    expect(unlinked).toEqual([]);
  });
});
