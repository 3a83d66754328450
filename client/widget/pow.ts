import type { Ctx } from './context';
import { solver } from './pow-solver';

/**
 * The proof of work (SPEC §11, §13): a module of its own, loaded when the reader starts typing. It
 * fetches the thread's challenge and solves it in a Web Worker while the reader writes, so that the
 * post can carry `altcha` without the reader noticing. A page whose Content-Security-Policy forbids
 * the worker (no `worker-src blob:`, or Trusted Types without our `parley-pow` policy) gets the same
 * search on the main thread, in slices of a few milliseconds. A reader with trust gets no challenge
 * and does no work. Nothing here ever stops a post: without a solution in time it goes without one.
 */

interface Challenge {
  algorithm: string;
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/** What a post adds to its body: `{altcha}`, or nothing. */
export type TakeProof = () => Promise<{ altcha?: string }>;
export interface PowModule {
  pow: typeof pow;
}

/** How long a post waits for a solution still being computed before it goes without. */
const WAIT_MS = 4000;
/** A solution older than this is for a challenge about to expire (30 minutes): a new one is fetched. */
const FRESH_MS = 25 * 60_000;
/** Candidates per main-thread slice: a few milliseconds on a phone. */
const SLICE = 4000;

type TrustedTypesLike = { createPolicy(name: string, rules: { createScriptURL(s: string): string }): { createScriptURL(s: string): unknown } };
/** The worker's script URL (made once per page); false once the page refused a worker: not asked again. */
let script: unknown;

/** A worker running the search: its script is the search's own source, from a Blob (nothing to host, no second request). */
function worker(): Worker {
  if (script === undefined) {
    const url = URL.createObjectURL(new Blob([`const s=(${String(solver)})();onmessage=e=>postMessage(s(...e.data))`], { type: 'text/javascript' }));
    const tt = (window as unknown as { trustedTypes?: TrustedTypesLike }).trustedTypes;
    // On a page that enforces Trusted Types, the URL goes through our own policy, if the page allows it.
    script = tt ? tt.createPolicy('parley-pow', { createScriptURL: (s) => (s === url ? s : '') }).createScriptURL(url) : url;
  }
  if (script === false) throw new Error('no worker here');
  return new Worker(script as string);
}

/** The search on the main thread, a slice at a time, so the page stays responsive. */
async function onMainThread(c: Challenge): Promise<number> {
  const search = solver();
  for (let from = 0; from <= c.maxnumber; from += SLICE) {
    const n = search(c.salt, c.challenge, from, Math.min(from + SLICE, c.maxnumber + 1));
    if (n >= 0) return n;
    await new Promise((resolve) => setTimeout(resolve));
  }
  return -1;
}

async function solve(c: Challenge): Promise<{ n: number; worker: boolean }> {
  const fallback = async () => {
    script = false;
    return { n: await onMainThread(c), worker: false };
  };
  let w: Worker;
  try {
    w = worker();
  } catch {
    return fallback();
  }
  try {
    return await new Promise<{ n: number; worker: boolean }>((resolve) => {
      w.onmessage = (e: MessageEvent<number>) => resolve({ n: e.data, worker: true });
      // A worker the page's policy refuses fails here rather than when it is made.
      w.onerror = (e) => {
        e.preventDefault();
        resolve(fallback());
      };
      w.postMessage([c.salt, c.challenge, 0, c.maxnumber + 1]);
    });
  } finally {
    w.terminate();
  }
}

/** Fetches this thread's challenge and solves it: the `altcha` of the next post, or null (none needed, or none to be had). */
async function prove(ctx: Ctx): Promise<string | null> {
  const { challenge: c } = await ctx.api<{ challenge: Challenge | null }>('GET', `/threads/${ctx.thread.id}/challenge`);
  if (!c) return null;
  const start = performance.now();
  const { n, worker } = await solve(c);
  try {
    // For whoever measures the widget (a User Timing entry): how long the work took, and where.
    performance.measure('parley-pow', { start, detail: { maxnumber: c.maxnumber, number: n, worker } });
  } catch {
    /* an older browser: no entry */
  }
  if (n < 0) return null;
  return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature }));
}

/**
 * Starts on the reader's first keystroke (form.ts). Each challenge is single use: after a post takes
 * one, the next is fetched when the reader types again, or when they post again at once.
 */
export function pow(ctx: Ctx): TakeProof {
  let job: Promise<string | null> | undefined;
  let at = 0;
  const start = () => {
    if (!job || Date.now() - at > FRESH_MS) {
      at = Date.now();
      job = prove(ctx).catch(() => null);
    }
    return job;
  };
  ctx.root.addEventListener('input', start);
  start();
  return async () => {
    const altcha = await Promise.race([start(), new Promise<null>((resolve) => setTimeout(resolve, WAIT_MS, null))]);
    job = undefined;
    return altcha ? { altcha } : {};
  };
}
