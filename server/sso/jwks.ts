import http from 'node:http';
import https from 'node:https';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { guardedLookup, refusedAddress } from '../address';

/** Bounds on a publisher's key set: a slow or huge answer fails the sign-in, never the server. */
const DEADLINE_MS = 3_000;
const MAX_BYTES = 64 * 1024;
/** Kept this long; an unknown `kid` refreshes sooner, but not more than once per cool-down. */
const FRESH_MS = 10 * 60_000;
const COOLDOWN_MS = 30_000;

export class JwksUnreachable extends Error {}

type LocalSet = ReturnType<typeof createLocalJWKSet>;
interface Entry {
  set: LocalSet;
  kids: Set<string>;
  fetchedAt: number;
}

/** Fetches a JWKS document within the deadline and size bound, over a guarded connection. */
export function fetchJwks(url: string, allowPrivate: boolean): Promise<JSONWebKeySet> {
  const refused = refusedAddress(url, allowPrivate);
  if (refused) return Promise.reject(new JwksUnreachable(`The JWKS URL ${refused}.`));
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      req.destroy();
      reject(new JwksUnreachable(message));
    };
    const timer = setTimeout(() => fail('The JWKS URL did not answer in time.'), DEADLINE_MS);
    const req = get(url, { lookup: guardedLookup(allowPrivate) as never, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) return fail(`The JWKS URL answered ${res.statusCode}.`);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) fail('The JWKS document is too large.');
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        try {
          const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JSONWebKeySet;
          if (!doc || !Array.isArray(doc.keys)) throw new Error('no keys');
          resolve(doc);
        } catch {
          reject(new JwksUnreachable('The JWKS URL did not answer with a key set.'));
        }
      });
      res.on('error', () => fail('The JWKS URL closed the connection.'));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new JwksUnreachable(`The JWKS URL could not be reached (${err.message}).`));
    });
  });
}

/**
 * Key sets by URL, in this process's memory: read on a sign-in (never on a post), refreshed when a
 * token names a `kid` the cached set lacks, at most once per cool-down; concurrent sign-ins share
 * one fetch. A set that cannot be fetched leaves the last good one in place.
 */
export function createJwksCache(allowPrivate: boolean) {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();
  /** The last fetch that an unknown kid or a failure caused, and the failure if it failed. */
  const lastRefresh = new Map<string, { at: number; error?: JwksUnreachable }>();

  function load(url: string): Promise<Entry> {
    let pending = inFlight.get(url);
    if (!pending) {
      pending = fetchJwks(url, allowPrivate)
        .then((doc) => {
          const entry = { set: createLocalJWKSet(doc), kids: new Set(doc.keys.map((k) => String(k.kid ?? ''))), fetchedAt: Date.now() };
          entries.set(url, entry);
          return entry;
        })
        .catch((err: JwksUnreachable) => {
          lastRefresh.set(url, { at: Date.now(), error: err });
          throw err;
        })
        .finally(() => inFlight.delete(url));
      inFlight.set(url, pending);
    }
    return pending;
  }

  return {
    /** The key set of `url` that knows `kid`, or null when even a fresh copy does not. */
    async setFor(url: string, kid: string): Promise<LocalSet | null> {
      const cached = entries.get(url);
      const fresh = cached && Date.now() - cached.fetchedAt < FRESH_MS;
      if (fresh && cached.kids.has(kid)) return cached.set;
      const last = lastRefresh.get(url);
      if (last && Date.now() - last.at < COOLDOWN_MS) {
        // Within the cool-down a publisher's trouble costs no more requests: answer from what is known.
        if (cached) return cached.kids.has(kid) ? cached.set : null;
        throw last.error ?? new JwksUnreachable('The JWKS URL was not reachable a moment ago.');
      }
      if (cached) lastRefresh.set(url, { at: Date.now() });
      try {
        const entry = await load(url);
        return entry.kids.has(kid) ? entry.set : null;
      } catch (err) {
        if (cached?.kids.has(kid)) return cached.set;
        throw err;
      }
    },
  };
}
export type JwksCache = ReturnType<typeof createJwksCache>;
