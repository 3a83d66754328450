import type { DomainEventName, DomainEvents } from '../../server/events';
import type { TestParley } from './parley';

/** A reader's request: optional token, Idempotency-Key and network (X-Forwarded-For, with TRUST_PROXY). */
export interface As {
  token?: string;
  key?: string;
  ip?: string;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export function call(parley: TestParley, method: Method, path: string, body?: unknown, as: As = {}) {
  let req = parley.http()[method](`/api/v1${path}`);
  if (as.token) req = req.set('Authorization', `Bearer ${as.token}`);
  if (as.key) req = req.set('Idempotency-Key', as.key);
  if (as.ip) req = req.set('X-Forwarded-For', as.ip);
  if (body !== undefined) req = req.set('Content-Type', 'application/json').send(body as object);
  return req;
}

/** Records the domain events published after commit, in order. */
export function recordEvents(parley: TestParley) {
  const seen: Array<{ name: DomainEventName; payload: any }> = [];
  const offs = (['thread.event', 'comment.status', 'comment.flagged'] as const).map((name) =>
    parley.app.deps.bus.on(name, (payload: DomainEvents[typeof name]) => seen.push({ name, payload })),
  );
  return {
    seen,
    of: <K extends DomainEventName>(name: K) => seen.filter((e) => e.name === name).map((e) => e.payload as DomainEvents[K]),
    clear: () => seen.splice(0),
    stop: () => offs.forEach((off) => off()),
  };
}

export const ids = (items: Array<{ id: string }>) => items.map((c) => c.id);

/** Every comment of the thread over HTTP, as a widget reloads it after a resync; and the page's seq. */
export async function loadAll(url: string, threadId: string): Promise<{ ids: string[]; seq: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let seq = 0;
  do {
    const q = new URLSearchParams({ sort: 'oldest', limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/v1/threads/${threadId}/comments?${q}`);
    const page = (await res.json()) as { items: Array<{ id: string }>; nextCursor: string | null; seq: number };
    if (!cursor) seq = page.seq;
    ids.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, seq };
}
