import type { CommentStatus } from '../../db/schema';
import { autoParagraphs, canonicalUrl, cleanEmail, cleanLine, cleanName, cleanWebsite, convertBody, parseSqlDate } from './convert';
import { ImportFileError } from './import.errors';
import { MAX_FIELD, MAX_RAW_BODY, type RecordSink } from './record-sink';
import type { XmlHandlers } from './xml-reader';

/**
 * WordPress's export (WXR: Tools → Export): an RSS channel whose `<item>`s are posts and pages, each
 * with its `<wp:comment>`s. Only comments are imported; an item becomes (or meets) a Parley thread
 * only when it has at least one comment to import.
 */
const ITEM_FIELDS = new Set(['title', 'link', 'guid', 'post_id', 'post_date_gmt', 'post_date', 'comment_status', 'post_type']);
// comment_author_IP is deliberately absent: Parley keeps no raw network addresses, so it is never read.
const COMMENT_FIELDS = new Set([
  'comment_id',
  'comment_author',
  'comment_author_email',
  'comment_author_url',
  'comment_date',
  'comment_date_gmt',
  'comment_content',
  'comment_approved',
  'comment_type',
  'comment_parent',
  'comment_user_id',
]);
const READER_TYPES = new Set(['', 'comment']);

type Fields = Record<string, string>;

const STATUS: Record<string, CommentStatus> = {
  '1': 'approved',
  approve: 'approved',
  approved: 'approved',
  '0': 'pending',
  hold: 'pending',
  spam: 'spam',
  trash: 'deleted',
  'post-trashed': 'deleted',
};

export function wxrHandlers(sink: RecordSink): XmlHandlers & { finish(): void } {
  /** WordPress users who wrote exported posts: their comments are the newsroom answering. */
  const staff = new Set<string>();
  let sawWxrVersion = false;
  let author: Fields = {};
  /** `comments`: wp:comment elements met in the item, imported or not. */
  let item: { fields: Fields; line: number; comments: number } | null = null;
  let comment: { fields: Fields; line: number; trashStatus?: string; overflow?: boolean } | null = null;
  let meta: Fields = {};

  function finishComment(c: NonNullable<typeof comment>, it: NonNullable<typeof item>) {
    const f = c.fields;
    it.comments++;
    const id = f.comment_id?.trim() || null;
    const type = (f.comment_type ?? '').trim();
    if (type === 'pingback' || type === 'trackback') return sink.skip('pingbacks and trackbacks are not reader comments', c.line, id);
    if (!READER_TYPES.has(type)) return sink.skip(`comments of type "${type}" are not reader comments`, c.line, id);
    if (!id) return sink.skip('a comment without a wp:comment_id', c.line, null);
    if (c.overflow) return sink.skip('the comment is too long to import', c.line, id);

    let createdAt = parseSqlDate(f.comment_date_gmt);
    if (!createdAt) {
      createdAt = parseSqlDate(f.comment_date);
      if (!createdAt) return sink.skip('the comment has no valid date', c.line, id);
      sink.note('no GMT date: the local comment_date was read as UTC', c.line, id);
    }
    const approved = (f.comment_approved ?? '').trim();
    let status = STATUS[approved];
    if (!status) {
      status = 'pending';
      sink.note(`unknown approval state "${approved}": imported as pending`, c.line, id);
    }
    const previous = status === 'deleted' ? (STATUS[c.trashStatus ?? '1'] ?? 'approved') : null;

    const body = convertBody(autoParagraphs(f.comment_content ?? ''));
    if (!body.ok) return sink.skip(body.reason, c.line, id);
    if (!body.source && status !== 'deleted') return sink.skip('the comment is empty', c.line, id);

    const rawWebsite = f.comment_author_url?.trim();
    const website = cleanWebsite(rawWebsite);
    if (rawWebsite && !website) sink.note('a website that is not a valid http(s) address (a domain name or IP, no user name) was dropped', c.line, id);
    const userId = (f.comment_user_id ?? '').trim();
    const parent = (f.comment_parent ?? '').trim();

    sink.comment({
      extId: id,
      threadExt: threadExtId(it),
      parentExt: parent && parent !== '0' ? parent : null,
      authorName: cleanName(f.comment_author),
      email: cleanEmail(f.comment_author_email),
      website,
      badge: userId && userId !== '0' && staff.has(userId) ? 'journalist' : null,
      bodySrc: body.source,
      bodyHtml: body.html,
      status,
      previousStatus: previous,
      createdAt,
      line: c.line,
    });
  }

  function threadExtId(it: NonNullable<typeof item>): string {
    return it.fields.post_id?.trim() || `line-${it.line}`;
  }

  function finishItem(it: NonNullable<typeof item>) {
    // Posts, pages and attachments without a single wp:comment are not discussions.
    if (it.comments > 0) sink.thread(threadRecord(it));
  }

  function threadRecord(it: NonNullable<typeof item>) {
    const f = it.fields;
    const url = canonicalUrl(f.link) ?? canonicalUrl(f.guid);
    const ident = f.post_id?.trim() || null;
    return {
      extId: threadExtId(it),
      ident,
      key: url ?? (ident ? `wordpress-${ident}` : `wordpress-line-${it.line}`),
      url,
      title: cleanLine(f.title, 300),
      closed: (f.comment_status ?? '').trim() === 'closed',
      createdAt: parseSqlDate(f.post_date_gmt) ?? parseSqlDate(f.post_date),
      line: it.line,
    };
  }

  const inItem = (p: readonly string[]) => p.length >= 3 && p[0] === 'rss' && p[1] === 'channel' && p[2] === 'item';

  return {
    collect(p) {
      if (p.length === 3 && p[2] === 'wxr_version') return 100;
      if (p.length === 4 && p[2] === 'author' && (p[3] === 'author_id' || p[3] === 'author_login')) return MAX_FIELD;
      if (!inItem(p)) return 0;
      if (p.length === 4) return ITEM_FIELDS.has(p[3]) ? MAX_FIELD : 0;
      if (p.length === 5 && p[3] === 'comment' && COMMENT_FIELDS.has(p[4])) return p[4] === 'comment_content' ? MAX_RAW_BODY : MAX_FIELD;
      if (p.length === 6 && p[3] === 'comment' && p[4] === 'commentmeta') return MAX_FIELD;
      return 0;
    },
    open(p, _attrs, line) {
      if (p.length === 1 && p[0] !== 'rss') {
        const hint = p[0] === 'disqus' ? ' (it looks like a Disqus export: use --format disqus)' : '';
        throw new ImportFileError(`this is not a WordPress export (WXR): the document starts with <${p[0]}>${hint}`, line);
      }
      if (inItem(p) && p.length === 3) item = { fields: {}, line, comments: 0 };
      else if (inItem(p) && p.length === 4 && p[3] === 'comment') comment = { fields: {}, line };
      else if (p.length === 3 && p[2] === 'author') author = {};
      else if (p.length === 5 && p[4] === 'commentmeta') meta = {};
    },
    close(p, text, info) {
      if (p.length === 3 && p[2] === 'wxr_version') sawWxrVersion = true;
      else if (p.length === 4 && p[2] === 'author') author[p[3]] = text.trim();
      else if (p.length === 3 && p[2] === 'author') {
        if (author.author_id) staff.add(author.author_id);
      } else if (inItem(p) && item) {
        if (p.length === 3) {
          finishItem(item);
          item = null;
        } else if (p.length === 4 && p[3] === 'comment' && comment) {
          finishComment(comment, item);
          comment = null;
        } else if (p.length === 4) item.fields[p[3]] = text;
        else if (p.length === 5 && comment) {
          comment.fields[p[4]] = text;
          if (p[4] === 'comment_content' && info.overflow) comment.overflow = true;
          if (p[4] === 'commentmeta' && meta.meta_key === '_wp_trash_meta_status') comment.trashStatus = meta.meta_value?.trim();
        } else if (p.length === 6 && p[4] === 'commentmeta') meta[p[5]] = text;
      }
    },
    finish() {
      if (!sawWxrVersion) sink.note('the file has no wp:wxr_version: it may be a plain RSS feed rather than a WordPress export', 1, null);
    },
  };
}
