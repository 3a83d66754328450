import type { Store } from './store';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The server's error contract, carried to the form so every refusal is shown as the server said it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export type Api = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

/**
 * Every request goes to Parley's own origin under /api/v1 — never anywhere else. The token is sent
 * as a bearer header, so the browser keeps no cookie for it. A token the server no longer knows
 * (erased or revoked) is dropped and the request repeated once without it.
 */
export function createApi(origin: string, store: Store, offlineMessage: () => string): Api {
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, retried = false): Promise<T> => {
    const token = store.token();
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (token) h.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(`${origin}/api/v1${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', offlineMessage());
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* a proxy's HTML error page: handled below */
    }
    if (res.ok) return json as T;
    if (res.status === 401 && token && !retried) {
      store.setToken(null);
      return call<T>(method, path, body, headers, true);
    }
    const e = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    const retry = Number(res.headers.get('Retry-After'));
    throw new ApiError(
      res.status,
      e?.code ?? `http_${res.status}`,
      e?.message ?? `${offlineMessage()} (HTTP ${res.status})`,
      Array.isArray(e?.details) ? e.details : [],
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  };
  return (method, path, body, headers) => call(method, path, body, headers);
}

/** An idempotency key per submission, so a retry after a lost answer cannot post twice. */
export function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
