import type { Subject } from './webhook.render';

interface CommentData {
  comment?: { id: string; threadId: string; author: { name: string | null }; bodyHtml: string; status: string };
  flagCount?: number;
  reason?: string;
}

/** Slack's mrkdwn from the comment's HTML: tags dropped, the three characters Slack reserves escaped. */
function plain(html: string): string {
  const text = html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .trim();
  const cut = text.length > 2800 ? `${text.slice(0, 2800)}…` : text;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Block Kit message of a comment waiting for a moderator: the public view only (name and words,
 * no email or network data), and Approve, Reject, Spam buttons whose value is the comment id.
 * `decided`: the message after a decision, with who made it and no buttons.
 */
export function slackMessage(subject: Pick<Subject, 'type'>, data: Record<string, unknown>, decided?: { label: string; by: string }) {
  const d = data as CommentData;
  const c = d.comment!;
  const why = subject.type === 'comment.flagged' ? `Flagged (${d.flagCount ?? 1}${d.reason ? `, ${d.reason}` : ''})` : 'Waiting for moderation';
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${why}*: ${plain(c.author.name ?? 'Anonymous')} wrote` } },
    { type: 'section', text: { type: 'mrkdwn', text: plain(c.bodyHtml) || '_(empty)_' } },
  ];
  if (decided) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${decided.label} by ${plain(decided.by)}` }] });
  } else {
    const button = (text: string, action: string, style?: 'primary' | 'danger') => ({
      type: 'button',
      text: { type: 'plain_text', text },
      action_id: action,
      value: c.id,
      ...(style ? { style } : {}),
    });
    blocks.push({ type: 'actions', block_id: `parley:${c.id}`, elements: [button('Approve', 'approve', 'primary'), button('Reject', 'reject', 'danger'), button('Spam', 'spam')] });
  }
  return { text: `${why}: a comment by ${c.author.name ?? 'Anonymous'}`, blocks };
}
