import { errors } from './errors';

/** An opaque keyset cursor over `(created_at, id)`, for staff lists (queues, bans, threads). */
export interface Keyset {
  createdAt: string;
  id: string;
}

export function encodeKeyset(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.createdAt, k.id])).toString('base64url');
}

export function decodeKeyset(value: string): Keyset {
  try {
    const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    const [createdAt, id] = Array.isArray(parts) ? parts : [];
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || id.length > 40) {
      throw new Error('shape');
    }
    return { createdAt, id };
  } catch {
    throw errors.badRequest('invalid_cursor', 'The cursor is not valid for this list; start again without one.', [
      { path: 'cursor', message: 'not a cursor from this list' },
    ]);
  }
}
