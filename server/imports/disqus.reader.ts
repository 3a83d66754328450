import type { CommentStatus } from '../../db/schema';
import { canonicalUrl, cleanEmail, cleanLine, cleanName, convertBody, parseIsoDate } from './convert';
import { ImportFileError } from './import.errors';
import { MAX_FIELD, MAX_RAW_BODY, type RecordSink } from './record-sink';
import type { XmlHandlers } from './xml-reader';

/**
 * The Disqus export: `<thread dsq:id>` elements (link, title, createdAt, isClosed, the publisher's
 * `<id>` identifier), then `<post dsq:id>` elements that point at their thread and parent by
 * `dsq:id`. A post's `<ipAddress>` is never read: Parley keeps no raw network addresses.
 */
const THREAD_FIELDS = new Set(['id', 'link', 'title', 'createdAt', 'isClosed', 'isDeleted']);
const POST_FIELDS = new Set(['createdAt', 'isDeleted', 'isSpam']);
const AUTHOR_FIELDS = new Set(['email', 'name', 'isAnonymous', 'username']);

type Fields = Record<string, string>;

export function disqusHandlers(sink: RecordSink): XmlHandlers & { finish(): void } {
  let thread: { fields: Fields; line: number; dsqId: string | null } | null = null;
  let post: { fields: Fields; author: Fields; line: number; threadRef: string | null; parentRef: string | null; overflow: boolean } | null =
    null;

  function finishThread(t: NonNullable<typeof thread>) {
    if (!t.dsqId) return sink.skip('a thread without a dsq:id (no post can refer to it)', t.line, null);
    const f = t.fields;
    const url = canonicalUrl(f.link);
    const ident = f.id?.trim() || null;
    sink.thread({
      extId: t.dsqId,
      ident,
      key: url ?? ident ?? `disqus-${t.dsqId}`,
      url,
      title: cleanLine(f.title, 300),
      closed: f.isClosed?.trim() === 'true',
      createdAt: parseIsoDate(f.createdAt),
      line: t.line,
    });
  }

  function finishPost(p: NonNullable<typeof post>, dsqId: string | null) {
    const f = p.fields;
    if (!dsqId) return sink.skip('a post without a dsq:id', p.line, null);
    if (!p.threadRef) return sink.skip('a post without a <thread dsq:id> reference', p.line, dsqId);
    if (p.overflow) return sink.skip('the comment is too long to import', p.line, dsqId);
    const createdAt = parseIsoDate(f.createdAt);
    if (!createdAt) return sink.skip('the post has no valid createdAt date', p.line, dsqId);
    const spam = f.isSpam?.trim() === 'true';
    const deleted = f.isDeleted?.trim() === 'true';
    const status: CommentStatus = spam ? 'spam' : deleted ? 'deleted' : 'approved';
    const body = convertBody(f.message ?? '');
    if (!body.ok) return sink.skip(body.reason, p.line, dsqId);
    if (!body.source && status !== 'deleted') return sink.skip('the comment is empty', p.line, dsqId);
    sink.comment({
      extId: dsqId,
      threadExt: p.threadRef,
      parentExt: p.parentRef,
      authorName: cleanName(p.author.name) ?? cleanName(p.author.username),
      email: cleanEmail(p.author.email),
      website: null,
      badge: null,
      bodySrc: body.source,
      bodyHtml: body.html,
      status,
      previousStatus: status === 'deleted' ? 'approved' : null,
      createdAt,
      line: p.line,
    });
  }

  return {
    collect(p) {
      if (p.length < 3 || p[0] !== 'disqus') return 0;
      if (p[1] === 'thread') return p.length === 3 && THREAD_FIELDS.has(p[2]) ? MAX_FIELD : 0;
      if (p[1] !== 'post') return 0;
      if (p.length === 3) return p[2] === 'message' ? MAX_RAW_BODY : POST_FIELDS.has(p[2]) ? MAX_FIELD : 0;
      return p.length === 4 && p[2] === 'author' && AUTHOR_FIELDS.has(p[3]) ? MAX_FIELD : 0;
    },
    open(p, attrs, line) {
      if (p.length === 1 && p[0] !== 'disqus') {
        const hint = p[0] === 'rss' ? ' (it looks like a WordPress export: use --format wxr)' : '';
        throw new ImportFileError(`this is not a Disqus export: the document starts with <${p[0]}>${hint}`, line);
      }
      if (p.length !== 2) return;
      if (p[1] === 'thread') thread = { fields: {}, line, dsqId: attrs.id?.trim() || null };
      else if (p[1] === 'post') post = { fields: {}, author: {}, line, threadRef: null, parentRef: null, overflow: false };
    },
    close(p, text, info) {
      if (p.length < 2 || p[0] !== 'disqus') return;
      if (p[1] === 'thread' && thread) {
        if (p.length === 2) {
          finishThread(thread);
          thread = null;
        } else if (p.length === 3) thread.fields[p[2]] = text;
      } else if (p[1] === 'post' && post) {
        if (p.length === 2) {
          finishPost(post, info.attributes.id?.trim() || null);
          post = null;
        } else if (p.length === 3 && p[2] === 'thread') post.threadRef = info.attributes.id?.trim() || null;
        else if (p.length === 3 && p[2] === 'parent') post.parentRef = info.attributes.id?.trim() || null;
        else if (p.length === 3) {
          post.fields[p[2]] = text;
          if (p[2] === 'message' && info.overflow) post.overflow = true;
        } else if (p.length === 4 && p[2] === 'author') post.author[p[3]] = text;
      }
    },
    finish() {},
  };
}
