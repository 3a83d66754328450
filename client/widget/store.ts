import type { Profile } from './types';

/**
 * The widget's memory in the reader's browser: the commenter token, the remembered profile and
 * drafts. Storage is the host page's localStorage (no cookie anywhere); keys carry Parley's origin,
 * so two Parley servers embedded on one site never mix identities. When storage is blocked (some
 * privacy modes) everything still works for the visit, in memory.
 */
export interface Store {
  get(name: string): string | null;
  set(name: string, value: string | null): void;
  token(): string | null;
  setToken(token: string | null): void;
  profile(): Profile | null;
  setProfile(profile: Profile | null): void;
}

export function createStore(parleyOrigin: string): Store {
  const memory = new Map<string, string>();
  const prefix = `parley:${parleyOrigin}:`;
  let ls: Storage | null = null;
  try {
    ls = window.localStorage;
    ls.getItem(prefix);
  } catch {
    ls = null;
  }
  const get = (name: string): string | null => {
    try {
      return ls ? ls.getItem(prefix + name) : (memory.get(name) ?? null);
    } catch {
      return memory.get(name) ?? null;
    }
  };
  const set = (name: string, value: string | null): void => {
    if (value === null) memory.delete(name);
    else memory.set(name, value);
    try {
      if (ls && value === null) ls.removeItem(prefix + name);
      else if (ls && value !== null) ls.setItem(prefix + name, value);
    } catch {
      /* quota or privacy mode: the in-memory copy serves this visit */
    }
  };
  return {
    get,
    set,
    token: () => get('token'),
    setToken: (token) => set('token', token),
    profile() {
      try {
        const p = JSON.parse(get('profile') ?? 'null');
        return p && typeof p === 'object' ? { name: String(p.name ?? ''), email: String(p.email ?? ''), website: String(p.website ?? '') } : null;
      } catch {
        return null;
      }
    },
    setProfile: (profile) => set('profile', profile ? JSON.stringify(profile) : null),
  };
}
