import crypto from 'node:crypto';
import type { ShownVote } from '../polls/poll.schema';
import type { Comment } from '../../db/schema';
import type { Executor } from '../db';

/**
 * Hot thread pages, kept in this process. A viral thread is read thousands of times between two
 * writes; each read still asks the database one cheap question — the thread's `seq` and
 * `page_version`, by primary key — and a page is served from memory only while both are what they
 * were when it was read. Every instance writes those two columns in the transaction of the change,
 * so a page is never older than a write acknowledged before the request arrived, whichever instance
 * took the write.
 *
 * What is cached is what is listed: approved comments and placeholders (tombstones, and comments
 * taken down that still hold replies), the rows themselves, which commentView turns into what each
 * reader may see. What a reader sees of their own (pending comments, likes, reports, edit window) is
 * added per request by the caller, never stored here.
 */

/** The thread's clocks, read after the request arrived. */
export interface ThreadHead {
  id: string;
  siteId: string;
  seq: number;
  pageVersion: number;
  /** `qa`: the full list shows answered questions first. */
  format: string;
}

export interface PublicPage {
  /** Top-level rows, one more than the page's limit when there is a next page. */
  rows: Comment[];
  /** The first replies (plus one) of every listed comment that has any. */
  replies: Comment[];
  /** The poll choices their authors chose to show, by comment id (a change takes the thread's next seq). */
  votes: Map<string, ShownVote>;
}

interface Entry {
  version: string;
  page: PublicPage;
  /** The anonymous response, serialised once. */
  body?: string;
  at: number;
}

export interface CommentPageCache {
  /** The thread's head as of now (null: no such thread). Concurrent callers share a query. */
  head(db: Executor, threadId: string): Promise<ThreadHead | null>;
  /** The cached public page for this thread, query and head, or computes and keeps it. */
  page(head: ThreadHead, query: string, load: () => Promise<PublicPage>): Promise<{ page: PublicPage; hit: boolean }>;
  /** The anonymous response body for this page, serialised at most once per version. */
  body(head: ThreadHead, query: string, render: () => unknown): string;
  /** The ETag of the anonymous response: the thread's clocks and the query. */
  etag(head: ThreadHead, query: string): string;
  readonly stats: { hits: number; misses: number; heads: number };
  clear(): void;
}

export interface PageCacheOptions {
  /** Pages kept (least recently used go first). */
  maxEntries?: number;
  /**
   * A page is read again after this long even if the clocks did not move: a safety net for rare
   * changes that touch no clock (an erasure taking back likes). Correctness never depends on it.
   */
  maxAgeMs?: number;
}

const versionOf = (h: ThreadHead) => `${h.seq}.${h.pageVersion}`;

export function createCommentPageCache(options: PageCacheOptions = {}): CommentPageCache {
  const maxEntries = options.maxEntries ?? 2000;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const entries = new Map<string, Entry>();
  const stats = { hits: 0, misses: 0, heads: 0 };

  /**
   * Per thread, at most one head query in flight; callers arriving meanwhile wait for the next one,
   * which is sent when the current one returns. A caller never shares a query sent before it
   * arrived, so it never sees a head older than a write acknowledged before its request.
   */
  interface Batch {
    promise: Promise<ThreadHead | null>;
    start: () => void;
  }
  const inFlight = new Map<string, Promise<unknown>>();
  const waiting = new Map<string, Batch>();

  function queryHead(db: Executor, threadId: string): Promise<ThreadHead | null> {
    stats.heads++;
    return db
      .selectFrom('threads')
      .select(['id', 'site_id', 'seq', 'page_version', 'format'])
      .where('id', '=', threadId)
      .executeTakeFirst()
      .then((r) => (r ? { id: r.id, siteId: r.site_id, seq: r.seq, pageVersion: r.page_version, format: r.format } : null));
  }

  function send(db: Executor, threadId: string): Promise<ThreadHead | null> {
    const promise = queryHead(db, threadId);
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    inFlight.set(threadId, settled);
    void settled.then(() => {
      inFlight.delete(threadId);
      const next = waiting.get(threadId);
      if (next) {
        waiting.delete(threadId);
        next.start();
      }
    });
    return promise;
  }

  function head(db: Executor, threadId: string): Promise<ThreadHead | null> {
    if (!inFlight.has(threadId)) return send(db, threadId);
    let batch = waiting.get(threadId);
    if (!batch) {
      let start!: () => void;
      const promise = new Promise<ThreadHead | null>((resolve, reject) => {
        start = () => send(db, threadId).then(resolve, reject);
      });
      batch = { promise, start };
      waiting.set(threadId, batch);
    }
    return batch.promise;
  }

  function touch(key: string, entry: Entry) {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  function fresh(key: string, version: string): Entry | undefined {
    const entry = entries.get(key);
    if (!entry || entry.version !== version || Date.now() - entry.at > maxAgeMs) return undefined;
    return entry;
  }

  return {
    head,
    async page(h, query, load) {
      const key = `${h.id}\n${query}`;
      const version = versionOf(h);
      const found = fresh(key, version);
      if (found) {
        stats.hits++;
        touch(key, found);
        return { page: found.page, hit: true };
      }
      stats.misses++;
      const page = await load();
      // A newer version may have been stored meanwhile; never replace it with an older one.
      const current = entries.get(key);
      if (!current || current.version === version || olderThan(current.version, version)) {
        touch(key, { version, page, at: Date.now() });
      }
      return { page, hit: false };
    },
    body(h, query, render) {
      const key = `${h.id}\n${query}`;
      const entry = fresh(key, versionOf(h));
      if (!entry) return JSON.stringify(render());
      entry.body ??= JSON.stringify(render());
      return entry.body;
    },
    etag(h, query) {
      const q = crypto.createHash('sha1').update(query).digest('base64url').slice(0, 10);
      return `"p${h.seq}.${h.pageVersion}-${q}"`;
    },
    stats,
    clear() {
      entries.clear();
    },
  };
}

function olderThan(a: string, b: string): boolean {
  const [as, av] = a.split('.').map(Number) as [number, number];
  const [bs, bv] = b.split('.').map(Number) as [number, number];
  return as < bs || (as === bs && av < bv);
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
