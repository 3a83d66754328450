/**
 * The `embedded` scenario: how much memory an embedded Parley (PGlite in its own process) holds at
 * rest after traffic, against the same Parley on PostgreSQL under the same traffic. Each side is a
 * fresh process; the load is 2,000 posts then 5,000 reads of the demo thread; "after load" is read
 * 20 s after the last request, "peak" is the kernel's high-water mark (VmHWM) over the whole run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { type Proc, startProc } from './procs';

export interface MemoryFigures {
  /** Resident set a few seconds after start, before any request (MB). */
  idle: number;
  /** Resident set 20 s after the load (MB). */
  afterLoad: number;
  /** The highest resident set the process reached (MB). */
  peak: number;
}

const POSTS = Number(process.env.BENCH_EMBEDDED_POSTS ?? 2000);
const READS = Number(process.env.BENCH_EMBEDDED_READS ?? 5000);
const SETTLE_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A field of /proc/<pid>/status, in MB (the kernel gives kB). */
function statusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function demoThreadId(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/threads/resolve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'demo', key: 'naked-security-clearview' }),
  });
  if (res.status !== 200) throw new Error(`resolving the demo thread: ${res.status}`);
  const body = (await res.json()) as { id?: string; thread?: { id: string } };
  return body.thread?.id ?? body.id!;
}

async function run(opts: autocannon.Options, what: string): Promise<void> {
  const result = await autocannon({ connections: 10, ...opts });
  if (result.non2xx || result.errors) throw new Error(`${what}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** Loads one running Parley and reads its memory. */
export async function measureMemory(proc: Proc, label: string): Promise<MemoryFigures> {
  const pid = proc.child.pid!;
  await sleep(5000);
  const idle = statusMB(pid, 'VmRSS');
  const threadId = await demoThreadId(proc.url);
  let n = 0;
  const started = performance.now();
  await run(
    {
      url: proc.url,
      amount: POSTS,
      requests: [
        {
          method: 'POST',
          path: `/api/v1/threads/${threadId}/comments`,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ body: `Memory check ${label} ${process.pid}: post number ${++n}.` }) }),
        },
      ],
    },
    `${label} posts`,
  );
  await run({ url: `${proc.url}/api/v1/threads/${threadId}/comments`, amount: READS }, `${label} reads`);
  const loadSeconds = (performance.now() - started) / 1000;
  const atEnd = statusMB(pid, 'VmRSS');
  await sleep(SETTLE_MS);
  const figures = { idle, afterLoad: statusMB(pid, 'VmRSS'), peak: statusMB(pid, 'VmHWM') };
  if (process.env.BENCH_VERBOSE) {
    console.log(`  ${label}: ${POSTS} posts and ${READS} reads in ${loadSeconds.toFixed(1)} s; RSS ${figures.idle.toFixed(0)} MB idle, ${atEnd.toFixed(0)} MB at the end of the load, ${figures.afterLoad.toFixed(0)} MB 20 s later, peak ${figures.peak.toFixed(0)} MB`);
  }
  return figures;
}

/** Both sides, one after the other, each in a fresh process. */
export async function embeddedVsPostgres(databaseUrl: string): Promise<{ embedded: MemoryFigures; postgres: MemoryFigures }> {
  const env = { PARLEY_RATE_LIMITS: 'off', NODE_ENV: 'production' };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-embedded-'));
  let embedded: MemoryFigures;
  try {
    const pglite = await startProc('server/main.ts', { ...env, DATABASE_URL: '', DATA_DIR: dataDir });
    try {
      embedded = await measureMemory(pglite, 'embedded');
    } finally {
      await pglite.stop();
    }
  } finally {
    // Also when the start itself failed: the data directory is the bench's own.
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const pg = await startProc('server/main.ts', { ...env, DATABASE_URL: databaseUrl });
  try {
    return { embedded, postgres: await measureMemory(pg, 'postgres') };
  } finally {
    await pg.stop();
  }
}
