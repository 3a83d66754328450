import type { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps';
import { parse } from '../validate';
import { renderBody } from './comment.render';
import { CreateCommentSchema } from './comment.schema';

const PreviewSchema = z.object({ body: CreateCommentSchema.shape.body });

/**
 * The widget's preview: the text rendered exactly as a posted comment would be, by the same
 * renderer and sanitiser. Nothing is stored and no identity is needed.
 */
export function previewRoutes(router: Router, _deps: Deps): void {
  router.post('/preview', (req, res) => {
    const { body } = parse(PreviewSchema, req.body);
    res.json({ bodyHtml: renderBody(body.replace(/\r\n?/g, '\n').trim()) });
  });
}
