/**
 * Parley's staff API, from Parley's own page: relative URLs only (the dashboard never talks to any
 * other origin), the session cookie sent same-origin, and the CSRF token on every write.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  setCsrf(token: string | null): void;
}

export function createApi(options: { offline: () => string; onSignedOut: () => void }): Api {
  let csrf: string | null = null;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    let res: Response;
    try {
      res = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', options.offline());
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON (a proxy's page): reported below */
    }
    if (res.ok) return json as T;
    const e = (json as { error?: { code?: string; message?: string; details?: ApiError['details'] } } | null)?.error;
    // A session that ended elsewhere (logout, password change) sends the member back to the login.
    if (res.status === 401 && path !== '/auth/login') options.onSignedOut();
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `${options.offline()} (HTTP ${res.status})`, e?.details ?? []);
  }

  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    setCsrf(token) {
      csrf = token;
    },
  };
}

/** Query strings built from defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
