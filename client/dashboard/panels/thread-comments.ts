import { canModerate, type Ctx, who } from '../context';
import { h, safeHtml } from '../dom';
import { formatDate } from '../i18n';
import { replyBox } from '../reply';
import type { CommentWithReplies, Page, PublicComment, ThreadInfo } from '../types';
import { pickButton } from './formats';

/**
 * A thread's published comments as readers see them (the public API), each with a Reply button:
 * how a journalist, who has no queues, answers a reader with their badge.
 */
export async function threadComments(ctx: Ctx, threadId: string, format: ThreadInfo['format'] = 'comments'): Promise<HTMLElement> {
  const { t } = ctx;
  const page = await ctx.api.get<Page<CommentWithReplies>>(`/threads/${threadId}/comments?sort=newest&limit=50`);
  const list = h('ol', { class: 'public-comments' });
  const entry = (c: PublicComment, depth: number): HTMLLIElement => {
    const author = who(ctx, c.author.name);
    // In a Q&A thread a reader's top-level comment is a question, and a staff reply to it its answer.
    const question = format === 'qa' && depth === 0 && !c.author.badge;
    const replyButton = h('button', { type: 'button', 'aria-label': question ? t.answerTo(author) : t.replyTo(author) }, question ? t.answer : t.reply);
    const li = h(
      'li',
      { class: depth ? 'reply-item' : '' },
      h(
        'article',
        { 'aria-label': t.commentBy(author) },
        h(
          'p',
          { class: 'meta' },
          h('strong', {}, author),
          c.author.badge ? h('span', { class: 'badge' }, c.author.badge) : null,
          c.featured ? h('span', { class: 'badge' }, t.pick) : null,
          ` · ${formatDate(c.createdAt, ctx.lang)}`,
          question ? ` · ${c.answerId ? t.answered : t.unanswered}` : null,
        ),
        h('div', { class: 'body' }, safeHtml(c.bodyHtml)),
        h('p', { class: 'buttons' }, replyButton, canModerate(ctx.site.role) && c.status === 'approved' ? pickButton(ctx, c, author) : null),
      ),
    );
    replyButton.addEventListener('click', () => {
      if (li.querySelector('form.reply')) return;
      replyButton.after(
        replyBox(ctx, { threadId, parentId: c.id, parentAuthor: author }, (posted) => {
          if (posted) li.after(entry(posted, depth + 1));
          replyButton.focus();
        }),
      );
    });
    return li;
  };
  for (const c of page.items) {
    list.append(entry(c, 0));
    for (const r of c.replies?.items ?? []) list.append(entry(r, 1));
  }
  return page.items.length ? list : h('p', { class: 'empty' }, t.noComments);
}
