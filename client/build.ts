import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

/**
 * Builds the reader-facing scripts (embed.js, count.js) in memory with esbuild. The server calls this
 * at start, so `npm start` always serves scripts that match the code beside it: there is no build
 * step to forget and no stale bundle on disk. A cold build takes well under a second.
 */
export interface Asset {
  /** URL path the server serves it at, e.g. `/embed.js`. */
  path: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  /** Strong validator: a hash of the content. */
  etag: string;
  /** Content-hashed names never change, so they may be cached for ever. */
  immutable: boolean;
}

export interface WidgetBuild {
  assets: Map<string, Asset>;
  /** Gzipped bytes of everything a page needs to show a thread (with live updates and a poll). */
  budgetBytes: number;
  /** Parts loaded only when a site uses them (sign-in, mail notifications, proof of work): each has a budget of its own. */
  optional: Asset[];
}

/** A module under a content-hashed name, cached for ever. */
function hashed(name: string, body: Buffer): Asset {
  const probe = asset(`/widget/${name}.js`, JS, body);
  return asset(`/widget/${name}.${probe.etag.slice(1, 13)}.js`, JS, body, true);
}

const WIDGET_DIR = path.join(__dirname, 'widget');

/** Lets widget code `import css from './styles.css'` and receive minified CSS text. */
const cssAsText: esbuild.Plugin = {
  name: 'css-as-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const fs = await import('node:fs/promises');
      const source = await fs.readFile(args.path, 'utf8');
      const { code } = await esbuild.transform(source, { loader: 'css', minify: true, target: ['chrome100', 'firefox100', 'safari16'] });
      return { contents: code.trim(), loader: 'text' };
    });
  },
};

/**
 * The live client connects by WebSocket only (no long-polling fallback, no WebTransport), so the
 * other engine.io transports are left out of the bundle: a third of the socket library's weight.
 */
const websocketOnly: esbuild.Plugin = {
  name: 'websocket-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/transports\/index\.js$/ }, (args) =>
      /engine\.io-client/.test(args.importer) ? { path: path.join(path.dirname(args.importer), 'transports', 'websocket-only.js'), namespace: 'ws-only' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'ws-only' }, (args) => ({
      contents: "import { WS } from './websocket.js'; export const transports = { websocket: WS };",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

async function bundle(entry: string, define: Record<string, string> = {}, format: 'iife' | 'esm' = 'iife'): Promise<Buffer> {
  const result = await esbuild.build({
    entryPoints: [path.join(WIDGET_DIR, entry)],
    bundle: true,
    write: false,
    minify: true,
    format,
    target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
    legalComments: 'none',
    charset: 'utf8',
    define,
    plugins: [cssAsText, websocketOnly],
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

export function asset(urlPath: string, contentType: string, body: Buffer, immutable = false): Asset {
  const hash = crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return {
    path: urlPath,
    contentType,
    body,
    gzip: zlib.gzipSync(body, { level: 9 }),
    brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
    etag: `"${hash}"`,
    immutable,
  };
}

const JS = 'text/javascript; charset=utf-8';
/** The proof-of-work module's one name (see buildWidget). */
const POW_PATH = '/widget/pow.js';

export async function buildWidget(): Promise<WidgetBuild> {
  // Live updates load after first paint, as a module embed.js imports by its content-hashed name.
  const liveBody = await bundle('live-chunk.ts', {}, 'esm');
  const probe = asset('/widget/live.js', JS, liveBody);
  const live = asset(`/widget/live.${probe.etag.slice(1, 13)}.js`, JS, liveBody, true);
  // Optional parts, each its own content-hashed module, loaded only where a site uses them.
  const optional = await Promise.all(['sso', 'notify', 'picks', 'yourdata', 'when'].map(async (name) => hashed(name, await bundle(`${name}.ts`, {}, 'esm'))));
  // The proof of work keeps one stable name, revalidated like embed.js: a content hash in the
  // default page would cost it 14 of the ~40 gzipped bytes its loader may add there.
  optional.push(asset(POW_PATH, JS, await bundle('pow.ts', {}, 'esm')));
  const [embed, count] = await Promise.all([
    bundle('embed.ts', {
      __PARLEY_LIVE__: JSON.stringify(live.path),
      __PARLEY_SSO__: JSON.stringify(optional[0]!.path),
      __PARLEY_NOTIFY__: JSON.stringify(optional[1]!.path),
      __PARLEY_PICKS__: JSON.stringify(optional[2]!.path),
      __PARLEY_YOURDATA__: JSON.stringify(optional[3]!.path),
      __PARLEY_SCHEDULE__: JSON.stringify(optional[4]!.path),
      __PARLEY_POW__: JSON.stringify(POW_PATH),
    }),
    bundle('count.ts'),
  ]);
  const list = [asset('/embed.js', JS, embed), live, asset('/count.js', JS, count), ...optional];
  const assets = new Map(list.map((a) => [a.path, a]));
  // count.js lives on article lists, not on the article page: it is not part of the thread's budget.
  const budgetBytes = [list[0]!, live].reduce((sum, a) => sum + a.gzip.length, 0);
  return { assets, budgetBytes, optional };
}

/**
 * A build done once per process and shared by every Parley instance in it (tests start several).
 * Kept on the global object under a registered symbol rather than in a module variable, so a test
 * runner that loads the modules afresh for each test file (Jest) hands the finished build from one
 * file to the next (its files share the worker's global object: jest.config.js): rebuilding cost
 * every file most of a second. A failed build is forgotten, so the next call tries again, and a
 * build whose sources changed since is made again.
 */
export function oncePerProcess<T>(name: string, build: () => Promise<T>, sourcesDir = __dirname): () => Promise<T> {
  const key = Symbol.for(`parley.build.${name}`);
  const slots = globalThis as unknown as Record<symbol, { sources: number; build: Promise<T> } | undefined>;
  return () => {
    // Built again when a source changed since (a test runner in watch mode keeps its workers).
    const sources = newestSource(sourcesDir);
    let memo = slots[key];
    if (!memo || memo.sources !== sources) {
      const started = build();
      memo = { sources, build: started };
      slots[key] = memo;
      started.catch(() => {
        if (slots[key]?.build === started) slots[key] = undefined;
      });
    }
    return memo.build;
  };
}

/** When the newest of the sources under `dir` last changed (ms); 0 where they are not on disk. */
function newestSource(dir: string): number {
  let newest = 0;
  try {
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|css|html|json)$/.test(entry.name)) continue;
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  } catch {
    return 0;
  }
  return newest;
}

/** The widget's build, once per process. */
export const widgetBuild = oncePerProcess('widget', buildWidget);
