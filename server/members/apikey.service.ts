import type { ApiKey } from '../../db/schema';
import type { Executor } from '../db';
import { hashSecret, newId, newSecret } from '../ids';
import * as repo from './member.repo';
import type { StaffActor } from './permissions';

export const API_KEY_PREFIX = 'sk_';
const TOUCH_EVERY_MS = 60_000;

/** A new key for a site; the secret is returned once and only its hash is kept. */
export async function createApiKey(
  db: Executor,
  input: { siteId: string; name: string; createdBy: string | null },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = newSecret('sk');
  const key = await repo.insertApiKey(db, {
    id: newId(),
    siteId: input.siteId,
    name: input.name,
    keyHash: hashSecret(secret),
    keyPrefix: secret.slice(0, 7),
    createdBy: input.createdBy,
  });
  return { key, secret };
}

/**
 * The site key behind an `sk_…` secret, or null when it is unknown or revoked. Exported for the
 * realtime layer's /moderation handshake.
 */
export async function authenticateApiKey(db: Executor, secret: string | null | undefined): Promise<StaffActor & { kind: 'key' } | null> {
  if (!secret || !secret.startsWith(API_KEY_PREFIX) || secret.length > 100) return null;
  const key = await repo.findApiKeyByHash(db, hashSecret(secret));
  if (!key || key.revoked_at) return null;
  if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > TOUCH_EVERY_MS) await repo.touchApiKey(db, key.id);
  return { kind: 'key', id: key.id, siteId: key.site_id, name: key.name };
}

/** Whether a key is still valid, without counting as use (the /moderation feed's periodic check). */
export async function apiKeyStillValid(db: Executor, keyId: string): Promise<boolean> {
  const key = await repo.findApiKeyById(db, keyId);
  return !!key && !key.revoked_at;
}

export function apiKeyView(key: ApiKey) {
  return {
    id: key.id,
    siteId: key.site_id,
    name: key.name,
    prefix: key.key_prefix,
    createdAt: key.created_at.toISOString(),
    lastUsedAt: key.last_used_at?.toISOString() ?? null,
    revokedAt: key.revoked_at?.toISOString() ?? null,
  };
}
