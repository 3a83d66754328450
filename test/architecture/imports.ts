import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One import or re-export of one source file, as written, and the project file it resolves to. */
export interface ImportEdge {
  from: string; // path relative to the repository root, with forward slashes
  specifier: string;
  to: string | null; // a project file, or null for a package (or node: module)
  typeOnly: boolean; // erased when compiled: `import type`, `export type`, or only `type` names
  line: number;
}

export const ROOT = path.resolve(__dirname, '../..');

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listTs(rel));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.join(path.posix.dirname(from), specifier).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) {
      return candidate;
    }
  }
  return base; // unresolved; kept so that a typo shows up in the failure message
}

/** With isolatedModules, `import { type A, type B }` is erased just as `import type { A, B }` is. */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a bare `import './x'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The static imports and re-exports of one file (dynamic `import()` is a lazy load, not a layer arrow). */
export function importsOf(file: string): ImportEdge[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, node: ts.Node): void => {
    if (!spec || !ts.isStringLiteral(spec)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ from: file, specifier: spec.text, to: resolve(file, spec.text), typeOnly, line });
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) add(statement.moduleSpecifier, importIsTypeOnly(statement), statement);
    else if (ts.isExportDeclaration(statement)) add(statement.moduleSpecifier, exportIsTypeOnly(statement), statement);
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      add(statement.moduleReference.expression, statement.isTypeOnly, statement);
    }
  }
  return edges;
}

export function projectFiles(): string[] {
  return [...listTs('server'), ...listTs('client')].sort();
}

/** Every import between project files, type-only ones included. */
export function importGraph(files: string[] = projectFiles()): Map<string, ImportEdge[]> {
  return new Map(files.map((f) => [f, importsOf(f)]));
}

/**
 * The import cycles between files, one path each (a → b → … → a), found as the strongly connected
 * components of the graph (Tarjan); a component of several files is reported by one cycle through it.
 */
export function findCycles(graph: Map<string, ImportEdge[]>): string[][] {
  const next = (f: string): string[] => [
    ...new Set((graph.get(f) ?? []).map((e) => e.to).filter((t): t is string => !!t && graph.has(t))),
  ];
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next(v).includes(v)) components.push(component);
    }
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return components.map((c) => cycleThrough(c.sort()[0], new Set(c), next));
}

/** The shortest path from `start` back to itself inside one component (breadth-first). */
function cycleThrough(start: string, members: Set<string>, next: (f: string) => string[]): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next(v)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
