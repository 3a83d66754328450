import fs from 'node:fs';
import path from 'node:path';
import { findCycles, type ImportEdge, importGraph, ROOT } from './imports';

/**
 * The layers of the tree, checked on every file's imports (type-only ones included where they say so):
 *
 * - core: `server/*.ts` — imports no folder of `server/`. The composition root (app.ts, main.ts and
 *   the type of what it builds, deps.ts) is the one place that knows every layer.
 * - domains: every other folder of `server/` but the adapters. Their files know no transport: no
 *   Express, Socket.IO, `server/http/` or `server/realtime/`. Route files (`*.routes.ts`) are the
 *   adapters that live in their domain's folder, by design; the command line is an adapter too.
 * - client: imports only types from `server/` (a value would bundle server code into the browser).
 * - no import cycle between files.
 */
const graph = importGraph();
const edges = [...graph.values()].flat();

const ROOT_FILES = new Set(['server/app.ts', 'server/main.ts', 'server/deps.ts']);
const ADAPTER_FOLDERS = new Set(['http', 'realtime', 'cli']);
const TRANSPORTS = /^(express|socket\.io)(\/|$)/;

const isCore = (file: string) => /^server\/[^/]+\.ts$/.test(file) && !ROOT_FILES.has(file);
const folderOf = (file: string) => /^server\/([^/]+)\//.exec(file)?.[1];
const isDomain = (file: string) => {
  const folder = folderOf(file);
  return !!folder && !ADAPTER_FOLDERS.has(folder) && !file.endsWith('.routes.ts');
};
const target = (e: ImportEdge) => e.to ?? e.specifier;
const show = (e: ImportEdge) => `${e.from}:${e.line} imports '${e.specifier}'${e.typeOnly ? ' (type only)' : ''}`;

describe('layering', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(150);
    // A file that names a project file that is not there would slip past every rule below.
    const unresolved = edges.filter((e) => e.to !== null && !fs.existsSync(path.join(ROOT, e.to)));
    expect(unresolved.map(show)).toEqual([]);
  });

  it('keeps transports out of domains: only route files may use Express, Socket.IO, http/ or realtime/', () => {
    const bad = edges.filter(
      (e) => isDomain(e.from) && (TRANSPORTS.test(e.specifier) || /^server\/(http|realtime)\//.test(target(e))),
    );
    expect(bad.map(show)).toEqual([]);
  });

  it('keeps core below every domain, adapter and the composition root', () => {
    const bad = edges.filter((e) => isCore(e.from) && (folderOf(target(e)) !== undefined || ROOT_FILES.has(target(e))));
    expect(bad.map(show)).toEqual([]);
  });

  it('lets the client import only types from the server', () => {
    const bad = edges.filter((e) => e.from.startsWith('client/') && target(e).startsWith('server/') && !e.typeOnly);
    expect(bad.map(show)).toEqual([]);
  });

  it('has no import cycle between files, type-only imports included', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
