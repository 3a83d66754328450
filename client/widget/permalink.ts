import { CommentNode } from './comment';
import type { Ctx } from './context';
import type { CommentView } from './types';

/**
 * `#comment-<id>` in the page's address scrolls to that comment and highlights it. A comment that is
 * not on the page (beyond the first page, or deep in replies) is fetched with the ancestors it hangs
 * from, and that chain is put on the page: its top-level comment first in the list (`addTop`).
 */
export async function revealPermalink(ctx: Ctx, addTop: (view: CommentView, atStart: boolean) => CommentNode, failed: (message: string) => void): Promise<void> {
  const match = /^#comment-([0-9a-z]{16})$/.exec(location.hash);
  if (!match) return;
  const id = match[1]!;
  let node = ctx.nodes.get(id);
  if (!node) {
    try {
      const get = async (cid: string) => (await ctx.api<{ comment: CommentView; parentIds: string[] }>('GET', `/comments/${cid}`)).comment;
      const { comment, parentIds } = await ctx.api<{ comment: CommentView; parentIds: string[] }>('GET', `/comments/${id}`);
      // Ancestors come top-level first; those already on the page bring their descendants' places.
      const missing = await Promise.all(parentIds.filter((p) => !ctx.nodes.has(p)).map(get));
      for (const view of [...missing, comment]) {
        const parent = view.parentId ? ctx.nodes.get(view.parentId) : undefined;
        node = parent instanceof CommentNode ? parent.addReply(view) : addTop(view, true);
      }
    } catch (err) {
      failed((err as Error).message);
      return;
    }
  }
  if (!node) return;
  ctx.root.querySelectorAll('.target').forEach((el) => el.classList.remove('target'));
  node.el.classList.add('target');
  node.el.scrollIntoView({ block: 'center' });
  node.focus();
}
