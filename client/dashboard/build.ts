import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Asset, asset, oncePerProcess } from '../build';

/**
 * The moderators' dashboard (`/moderate`), built in memory at start like the widget: one script and
 * one stylesheet, both served from Parley's own origin. No size budget, but minified all the same.
 */
const DIR = __dirname;
const TARGET = ['es2020', 'chrome100', 'firefox100', 'safari16'];

async function bundle(entry: string, loader: 'ts' | 'css'): Promise<Buffer> {
  const result = await esbuild.build({
    entryPoints: [path.join(DIR, entry)],
    bundle: true,
    write: false,
    minify: true,
    format: loader === 'ts' ? 'iife' : undefined,
    target: TARGET,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

export async function buildDashboard(): Promise<Map<string, Asset>> {
  const [js, css] = await Promise.all([bundle('main.ts', 'ts'), bundle('styles.css', 'css')]);
  const list = [asset('/moderate/app.js', 'text/javascript; charset=utf-8', js), asset('/moderate/app.css', 'text/css; charset=utf-8', css)];
  return new Map(list.map((a) => [a.path, a]));
}

/** The dashboard's build, once per process, shared by every Parley instance in it. */
export const dashboardBuild = oncePerProcess('dashboard', buildDashboard);
