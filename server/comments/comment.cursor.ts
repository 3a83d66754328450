import { errors } from '../errors';
import type { Sort } from './comment.schema';

/**
 * Keyset cursors: the sort key of the last row seen, opaque to clients. `created_at` has millisecond
 * precision in the database, so it survives the trip through a JavaScript Date exactly.
 */
export interface Cursor {
  sort: Sort;
  createdAt: string;
  id: string;
  reactions?: number;
  /** In a Q&A thread's full list: which half the last row was in (answered first). */
  half?: 'a' | 'u';
}

export function encodeCursor(cursor: Cursor): string {
  const parts: unknown[] = [cursor.sort, cursor.createdAt, cursor.id];
  if (cursor.sort === 'top' || cursor.half) parts.push(cursor.reactions ?? 0);
  if (cursor.half) parts.push(cursor.half);
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(value: string, sort: Sort): Cursor {
  try {
    const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts[0] !== sort) throw new Error('sort');
    const [, createdAt, id, reactions, half] = parts;
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string') throw new Error('shape');
    if (sort === 'top' && !Number.isInteger(reactions)) throw new Error('reactions');
    if (half !== undefined && half !== 'a' && half !== 'u') throw new Error('half');
    return { sort, createdAt, id, reactions, ...(half ? { half } : {}) };
  } catch {
    throw errors.badRequest('invalid_cursor', 'The cursor is not valid for this list; start again without one.', [
      { path: 'cursor', message: 'not a cursor from this list and sort' },
    ]);
  }
}
