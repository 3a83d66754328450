import type { Request, Router } from 'express';
import type { Commenter } from '../../db/schema';
import { authenticateToken, TOKEN_PREFIX } from '../commenters/commenter.service';
import type { Deps } from '../deps';
import { AppError, errors } from '../errors';
import { bearer } from '../http/actor';
import { eraseCommenter } from './erase.service';
import { exportCommenter, exportFileName } from './export.service';

/**
 * The token's commenter, or 401. After an erasure the token no longer exists, so a repeated
 * DELETE /me cannot be told apart from a wrong token; the message says what that means, and the
 * widget treats a 401 on erasure as "nothing is held under this token".
 */
async function self(deps: Deps, req: Request): Promise<Commenter> {
  const token = bearer(req);
  if (!token || !token.startsWith(TOKEN_PREFIX)) {
    throw errors.unauthenticated('Send your commenter token as "Authorization: Bearer ct_…" to see or erase your data.');
  }
  try {
    return await authenticateToken(deps.db, token);
  } catch (err) {
    if (err instanceof AppError && err.kind === 'unauthenticated') {
      throw errors.unauthenticated(
        'This commenter token is not known. If it was used to erase your data, the erasure is complete: nothing is held under it any more.',
      );
    }
    throw err;
  }
}

export function meRoutes(router: Router, deps: Deps): void {
  router.get('/me/export', async (req, res) => {
    const commenter = await self(deps, req);
    const now = new Date();
    const document = await exportCommenter(deps.db, commenter.id, {}, now);
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(commenter.id, now)}"`);
    res.json({ export: document });
  });

  /**
   * Erasure, at once. Idempotent in effect: a duplicate that raced the first (same token, both
   * authenticated before either committed) answers 200 with `erased: false`; a later repeat answers
   * 401, because the token itself is gone — keeping anything to recognise it would keep a trace.
   */
  router.delete('/me', async (req, res) => {
    const commenter = await self(deps, req);
    const report = await eraseCommenter(deps, commenter.id);
    req.log?.info({ erasure: { comments: report.comments, reactions: report.reactions } }, 'commenter erased');
    res.json({ erasure: report });
  });
}
