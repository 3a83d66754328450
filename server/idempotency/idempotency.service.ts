import crypto from 'node:crypto';
import { type Db, failureDetail, type Tx } from '../db';
import { AppError, errors } from '../errors';
import { newId, randomBytes, sha256 } from '../ids';
import * as repo from './idempotency.repo';

/**
 * Writes that can be retried safely (`Idempotency-Key`). A key is claimed before the write runs and
 * its response is stored in the write's own transaction, so a retry either finds the committed
 * response (replayed as it was), finds the claim still running (409), or — when the first attempt
 * failed and rolled back — runs again.
 *
 * The stored response is encrypted under a key derived from the client's Idempotency-Key, which is
 * itself stored only as a hash: a first post's response carries the commenter token, and the
 * database must never hold a usable token.
 */
export interface Reply {
  status: number;
  body: unknown;
}

export interface IdempotentRequest {
  /** Whose key it is: `c:<commenter>`, or `n:<network hash>` for a first post without a token. */
  scope: string;
  key: string;
  /** Method, path and body: the same key with another request is refused. */
  fingerprint: string;
}

export type Claim =
  | { kind: 'replay'; reply: Reply }
  | {
      kind: 'claimed';
      /** Stores the reply inside the write's transaction. */
      seal(trx: Tx, reply: Reply): Promise<void>;
      /** Stores the reply of a request that wrote nothing. */
      finish(reply: Reply): Promise<void>;
      release(): Promise<void>;
    };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function validateKey(value: string): string {
  if (!KEY_PATTERN.test(value)) {
    throw errors.badRequest('invalid_idempotency_key', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters.', [
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return value;
}

/** JSON with sorted keys, so `{a, b}` and `{b, a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function fingerprint(method: string, path: string, body: unknown): string {
  return sha256(`${method} ${path}\n${canonicalJson(body)}`);
}

function cipherKey(rawKey: string, scope: string): Buffer {
  return crypto.createHmac('sha256', rawKey).update(`parley idempotent reply\0${scope}`).digest();
}

function seal(reply: Reply, rawKey: string, scope: string) {
  const iv = randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', cipherKey(rawKey, scope), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(reply.body)), cipher.final()]);
  return { v: 1, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') };
}

function open(stored: unknown, rawKey: string, scope: string): unknown {
  const s = stored as { iv: string; tag: string; data: string };
  const decipher = crypto.createDecipheriv('aes-256-gcm', cipherKey(rawKey, scope), Buffer.from(s.iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(s.tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(s.data, 'base64url')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}

const inProgress = () =>
  new AppError(
    'conflict',
    'idempotency_in_progress',
    'A request with this Idempotency-Key is still being processed. Retry in a moment to get its result.',
    [],
    1,
  );

let claimsSinceSweep = 0;

type Completion = Parameters<typeof repo.completeManyStatement>[0][number];
const deferred = new WeakMap<Tx, Completion[]>();

/**
 * From now on, replies sealed in this transaction are stored together by the statement `sealedStatement`
 * gives, rather than one statement each (posts committed as a batch: thread-writer.ts).
 */
export function deferSeals(trx: Tx): void {
  deferred.set(trx, []);
}

/**
 * The statement that stores the replies sealed in this transaction since `deferSeals`, to run with
 * its commit; it fails (see `claimLost`) if any claim was taken over meanwhile.
 */
export function sealedStatement(trx: Tx) {
  const items = deferred.get(trx);
  deferred.delete(trx);
  return items?.length ? repo.completeManyStatement(items) : undefined;
}

/** The error a batch failed with, as the client should get it: a claim taken over is a 409. */
export function claimLost(err: unknown): AppError | undefined {
  return failureDetail(err, repo.CLAIM_LOST) === undefined ? undefined : inProgress();
}

/** A claim that is ours: the request runs, and its reply is stored. */
export type Claimed = Extract<Claim, { kind: 'claimed' }>;

function claimed(db: Db, scope: string, rawKey: string, key: string, owner: string): Claimed {
  const store = async (executor: Tx | Db, reply: Reply) => {
    const ok = await repo.complete(executor, scope, key, owner, reply.status, seal(reply, rawKey, scope));
    // Our claim was taken over as abandoned: refuse rather than risk a second write.
    if (!ok) throw inProgress();
  };
  return {
    kind: 'claimed',
    seal: async (trx, reply) => {
      const batch = deferred.get(trx);
      if (!batch) return store(trx, reply);
      batch.push({ scope, key, owner, status: reply.status, body: seal(reply, rawKey, scope) });
    },
    finish: (reply) => store(db, reply),
    release: () => repo.release(db, scope, key, owner),
  };
}

function sweepNowAndThen(db: Db): void {
  // Expired keys are swept now and then by whichever instance happens to be writing.
  if (++claimsSinceSweep >= 200) {
    claimsSinceSweep = 0;
    repo.deleteExpired(db).catch(() => {});
  }
}

export async function claimKey(db: Db, request: IdempotentRequest): Promise<Claim> {
  const { scope, key: rawKey } = request;
  const key = sha256(rawKey);
  const requestHash = request.fingerprint;
  sweepNowAndThen(db);
  for (let attempt = 0; attempt < 3; attempt++) {
    const owner = newId();
    if (await repo.claim(db, scope, key, requestHash, owner)) return claimed(db, scope, rawKey, key, owner);
    const existing = await repo.findLive(db, scope, key);
    if (!existing) continue; // released or expired between our two statements: claim again
    if (existing.request_hash !== requestHash) {
      throw errors.unprocessable(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      );
    }
    if (existing.state === 'running') throw inProgress();
    return { kind: 'replay', reply: { status: existing.response_status ?? 200, body: open(existing.response_body, rawKey, scope) } };
  }
  throw inProgress();
}

/** The key was not free when the write's first statement tried to claim it (see `EarlyClaim`). */
export class NotClaimed extends Error {
  constructor() {
    super('The Idempotency-Key was not free.');
  }
}

/**
 * A claim taken by the write's own first statement rather than by a statement of its own, one round
 * trip fewer on every post. The write embeds `statement()` (`claimStatement`) in its first read and
 * passes what it returned to `taken`. When the key was not free, `taken` throws `NotClaimed` and
 * the request goes the usual way (`claimKey`): a replay, a 409 or a 422.
 */
export interface EarlyClaim {
  /** The claim's insert, the first time it is asked for; undefined after (a write that starts over). */
  statement(): ReturnType<typeof repo.claimStatement> | undefined;
  /** What the insert returned: its owner when the claim is ours. */
  taken(owner: string | null | undefined): void;
  /** The claim, once taken. */
  readonly claim: Claimed | undefined;
}

/** Runs inside a write's transaction, just before it commits: the idempotency record commits with the write. */
export type BeforeCommit<R> = (trx: Tx, result: R) => Promise<void>;

/** What an adapter hands a write so that a retried request gets the first one's reply. */
export interface WriteHooks<R> {
  beforeCommit?: BeforeCommit<R>;
}

export function earlyClaim(db: Db, request: IdempotentRequest): EarlyClaim {
  const { scope, key: rawKey } = request;
  const key = sha256(rawKey);
  const owner = newId();
  let asked = false;
  let claim: Claimed | undefined;
  return {
    statement() {
      if (asked) return undefined;
      asked = true;
      sweepNowAndThen(db);
      return repo.claimStatement(scope, key, request.fingerprint, owner);
    },
    taken(returned) {
      if (returned !== owner) throw new NotClaimed();
      claim = claimed(db, scope, rawKey, key, owner);
    },
    get claim() {
      return claim;
    },
  };
}
