import { z } from 'zod';
import { ChallengeReplySchema } from '../abuse/proof.schema';
import { ProfileSchema, UpdateProfileSchema } from '../commenters/commenter.schema';
import {
  CommentIdParam,
  CommentPageSchema,
  CommentReplySchema,
  CreateCommentSchema,
  EditCommentSchema,
  ListCommentsQuery,
  PermalinkSchema,
  PostedCommentSchema,
  RepliesPageSchema,
  RepliesQuery,
} from '../comments/comment.schema';
import { CreateFlagSchema, FlagViewSchema } from '../flags/flag.schema';
import { PollIdParam, PollReplySchema, VoteSchema } from '../polls/poll.schema';
import { CreateRequestSchema, LinkQuery, PolicyQuery } from '../privacy/privacy.schema';
import { CountsQuery, CountsSchema } from '../threads/counts.routes';
import { ResolveThreadSchema, ThreadIdParam, ThreadReplySchema } from '../threads/thread.schema';
import { SSO_OPERATIONS } from './openapi.sso';
import { MAIL_OPERATIONS } from './openapi.mail';
import { WEBHOOK_OPERATIONS } from './openapi.webhooks';
import type { OperationDoc } from './openapi.operation';
import { STAFF_OPERATIONS } from './openapi.staff';

/**
 * The OpenAPI 3.1 description of the reader API, built from the zod schemas that validate requests
 * (and those that describe responses, which a test holds real responses to). Served at
 * /api/v1/openapi.json and rendered at /api/docs.
 */
const comment = { commentId: CommentIdParam };
/** Documents whose details are described in prose (privacy); open objects. */
const document = (name: string, description: string) => z.object({ [name]: z.record(z.string(), z.unknown()).meta({ description }) });
const thread = { threadId: ThreadIdParam };
const poll = { pollId: PollIdParam };

export const READER_OPERATIONS: OperationDoc[] = [
  { method: 'post', path: '/threads/resolve', tag: 'Threads', summary: 'Find or create the thread of an article', description: 'Creates the thread (201) when the request’s Origin is one of the site’s allowed origins; otherwise only finds it.', auth: 'none', body: ResolveThreadSchema, ok: { status: 200, description: 'The thread (201 when just created)', schema: ThreadReplySchema }, errors: [400, 403, 404] },
  { method: 'get', path: '/threads/:threadId', tag: 'Threads', summary: 'A thread with its comment count and current seq', auth: 'none', params: thread, ok: { status: 200, description: 'The thread', schema: ThreadReplySchema }, errors: [400, 404] },
  { method: 'get', path: '/threads/:threadId/comments', tag: 'Comments', conditional: true, summary: 'A page of top-level comments, each with its first replies', description: 'Keyset pagination: pass `nextCursor` back as `cursor` with the same sort (and filter). Pages stay stable while comments arrive. The caller’s own pending comments are included for them alone. `filter=featured` lists the thread’s picks (at any depth, without replies); in a Q&A thread (`format: qa`) answered questions come first, each with its answer as its first reply, and `filter=answered|unanswered` lists one half. An unknown filter is a 400.', auth: 'optional', params: thread, query: ListCommentsQuery, ok: { status: 200, description: 'The page', schema: CommentPageSchema }, errors: [400, 401, 404] },
  { method: 'post', path: '/threads/:threadId/comments', tag: 'Comments', summary: 'Post a comment or a reply', description: 'Without a token, creates the reader’s identity and returns `commenterToken` once. A comment is `approved` or `pending` (held for moderation, visible only to its author).', auth: 'optional', idempotent: true, params: thread, body: CreateCommentSchema, ok: { status: 201, description: 'The comment', schema: PostedCommentSchema }, errors: [400, 401, 403, 404, 409, 422, 429] },
  { method: 'get', path: '/threads/:threadId/challenge', tag: 'Comments', summary: 'A proof-of-work challenge for a post to the thread', description: 'ALTCHA’s challenge: find n ≤ `maxnumber` with SHA-256(`salt` + n) = `challenge`, and send `{algorithm, challenge, number, salt, signature}` in base64 as the post’s `altcha`. Single use, for this thread only, valid 30 minutes. Its cost rises with the posting speed of the reader’s network and of the thread. `challenge` is null for a reader with trust (send the token) and for the site’s `sk_` key. A post without a valid proof is never refused for it: its risk gets the reason `no_proof`.', auth: 'optional', params: thread, ok: { status: 200, description: 'The challenge', schema: ChallengeReplySchema }, errors: [400, 401, 404] },
  { method: 'get', path: '/comments/:commentId', tag: 'Comments', summary: 'One comment (permalink), with its ancestors’ ids', auth: 'optional', params: comment, ok: { status: 200, description: 'The comment', schema: PermalinkSchema }, errors: [400, 401, 404] },
  { method: 'get', path: '/comments/:commentId/replies', tag: 'Comments', summary: 'More replies to a comment, oldest first', auth: 'optional', params: comment, query: RepliesQuery, ok: { status: 200, description: 'The replies', schema: RepliesPageSchema }, errors: [400, 401, 404] },
  { method: 'patch', path: '/comments/:commentId', tag: 'Comments', summary: 'Edit your own comment', description: 'Within the site’s edit window (default 15 minutes). The moderation rules run again: an edit can send a comment back to moderation. Earlier versions are kept for moderators.', auth: 'required', idempotent: true, params: comment, body: EditCommentSchema, ok: { status: 200, description: 'The edited comment', schema: CommentReplySchema }, errors: [400, 401, 403, 404, 409, 422, 429] },
  { method: 'delete', path: '/comments/:commentId', tag: 'Comments', summary: 'Delete your own comment', description: 'At any time. The text and its earlier versions are erased; replies keep their place under a tombstone. Deleting twice is the same as once.', auth: 'required', idempotent: true, params: comment, ok: { status: 200, description: 'The tombstone', schema: CommentReplySchema }, errors: [400, 401, 403, 404, 409, 422, 429] },
  { method: 'put', path: '/comments/:commentId/reaction', tag: 'Reactions', summary: 'Like a comment', description: 'One like per reader per comment; liking twice is the same as once. Without a token, creates the reader’s identity.', auth: 'optional', idempotent: true, params: comment, ok: { status: 200, description: 'The comment with its new count', schema: PostedCommentSchema }, errors: [400, 401, 404, 409, 422, 429] },
  { method: 'delete', path: '/comments/:commentId/reaction', tag: 'Reactions', summary: 'Take a like back', auth: 'required', idempotent: true, params: comment, ok: { status: 200, description: 'The comment with its new count', schema: CommentReplySchema }, errors: [400, 401, 404, 409, 422, 429] },
  { method: 'post', path: '/comments/:commentId/flags', tag: 'Reactions', summary: 'Report a comment to the moderators', description: 'Once per reader per comment. Enough reports put the comment in the moderators’ flagged queue; reports never hide a comment by themselves.', auth: 'optional', idempotent: true, params: comment, body: CreateFlagSchema, ok: { status: 201, description: 'The report', schema: FlagViewSchema }, errors: [400, 401, 403, 404, 409, 422, 429] },
  { method: 'get', path: '/counts', tag: 'Threads', summary: 'Comment counts for a list of articles', auth: 'none', query: CountsQuery, ok: { status: 200, description: 'Counts by key', schema: CountsSchema }, errors: [400, 404] },
  { method: 'get', path: '/polls/:pollId', tag: 'Polls', summary: 'A poll, the caller’s vote, and the results when visible', auth: 'optional', params: poll, ok: { status: 200, description: 'The poll', schema: PollReplySchema }, errors: [400, 401, 404] },
  { method: 'put', path: '/polls/:pollId/vote', tag: 'Polls', summary: 'Vote, or change your vote', description: 'Until the poll closes. Without a token, creates the reader’s identity.', auth: 'optional', params: poll, body: VoteSchema, ok: { status: 200, description: 'The poll with your vote', schema: PollReplySchema }, errors: [400, 401, 403, 404, 409, 429] },
  { method: 'delete', path: '/polls/:pollId/vote', tag: 'Polls', summary: 'Withdraw your vote', auth: 'required', params: poll, ok: { status: 200, description: 'The poll', schema: PollReplySchema }, errors: [400, 401, 403, 404, 409] },
  { method: 'get', path: '/me', tag: 'Me', summary: 'Your profile', auth: 'required', ok: { status: 200, description: 'Your profile', schema: ProfileSchema }, errors: [401] },
  { method: 'patch', path: '/me', tag: 'Me', summary: 'Change your name, email or website, or show your poll vote', description: 'Name, email and website apply to your next comments; `null` or "" clears a field. `showVote` shows (or stops showing) your choice in a thread’s poll next to your comments there, at once.', auth: 'required', idempotent: true, body: UpdateProfileSchema, ok: { status: 200, description: 'Your profile', schema: ProfileSchema }, errors: [400, 401, 409, 422, 429] },
  { method: 'get', path: '/me/export', tag: 'Me', summary: 'Download everything Parley holds about you', description: 'One JSON document (`Content-Disposition: attachment`): profile, every comment in every status with its earlier versions, reactions, reports, poll votes, and each network hash with the date it will be erased.', auth: 'required', ok: { status: 200, description: 'The export', schema: document('export', 'Everything held about the commenter') }, errors: [401] },
  { method: 'delete', path: '/me', tag: 'Me', summary: 'Erase yourself, at once', description: 'Comments become tombstones without author, likes and votes are withdrawn, the profile and the token are deleted. A repeat answers 401: nothing is kept to recognise the token.', auth: 'required', ok: { status: 200, description: 'What was erased, as counts', schema: document('erasure', 'Counts of what was erased') }, errors: [401] },
  { method: 'post', path: '/preview', tag: 'Comments', summary: 'Render a comment body as it would be posted', description: 'Same renderer and sanitiser as a posted comment; stores nothing.', auth: 'none', body: z.object({ body: CreateCommentSchema.shape.body }), ok: { status: 200, description: 'The rendered HTML', schema: z.object({ bodyHtml: z.string() }) }, errors: [400] },
  { method: 'get', path: '/privacy', tag: 'Privacy', summary: 'What a site keeps, why and for how long, in plain words', auth: 'none', query: PolicyQuery, ok: { status: 200, description: 'The policy', schema: document('privacy', 'The policy, with this site’s periods') }, errors: [400, 404] },
  { method: 'post', path: '/privacy/requests', tag: 'Privacy', summary: 'Lost token: ask for an export or an erasure by email', description: 'Always the same 202 answer, whether the address is known or not.', auth: 'none', body: CreateRequestSchema, ok: { status: 202, description: 'Received', schema: document('request', 'status, delivery (mail or admin) and a message') }, errors: [400, 404, 429] },
  { method: 'get', path: '/privacy/link', tag: 'Privacy', summary: 'The mailed one-time link: what it will do', description: 'Shows a confirmation page to a browser (HTML), or this JSON.', auth: 'none', query: LinkQuery, ok: { status: 200, description: 'The pending request', schema: document('request', 'kind, site and expiry') }, errors: [400, 404, 410] },
  { method: 'post', path: '/privacy/link', tag: 'Privacy', summary: 'Carry out the mailed one-time link', auth: 'none', query: LinkQuery, ok: { status: 200, description: 'The export, or what was erased', schema: z.union([document('export', 'Everything held'), document('erasure', 'Counts of what was erased')]) }, errors: [400, 404, 410] },
];

export const OPERATIONS: OperationDoc[] = [...READER_OPERATIONS, ...SSO_OPERATIONS, ...MAIL_OPERATIONS, ...STAFF_OPERATIONS, ...WEBHOOK_OPERATIONS];

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (`validation_failed` lists every problem in `details`)',
  401: 'The commenter token is missing or not valid',
  403: 'Not allowed (not your comment, edit window closed, thread closed…)',
  404: 'Not found, or not visible to you',
  409: 'Conflict: a duplicate comment, already reported, or the same Idempotency-Key still running',
  422: 'The Idempotency-Key was already used for a different request',
  410: 'The link was used or has expired',
  429: 'Too many writes: wait for `Retry-After` seconds',
};

type Json = Record<string, unknown>;

/**
 * zod's JSON Schema for one schema, with its named parts moved to `components.schemas` and the
 * noise of safe-integer bounds dropped. Input mode: responses are described as open objects, so
 * fields can be added without breaking clients.
 */
function toSchema(schema: z.ZodType, components: Json): Json {
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  const defs = (raw.$defs ?? {}) as Json;
  delete raw.$defs;
  delete raw.$schema;
  const fix = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fix);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/$defs/', '#/components/schemas/');
      else if ((k === 'minimum' || k === 'maximum') && Math.abs(v as number) === Number.MAX_SAFE_INTEGER) continue;
      else out[k] = fix(v);
    }
    return out;
  };
  for (const [name, def] of Object.entries(defs)) components[name] = fix(def);
  return fix(raw) as Json;
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export function buildOpenApi(options: { serverUrl?: string } = {}): Json {
  const schemas: Json = {};
  const errorRef = { $ref: '#/components/schemas/Error' };
  schemas.Error = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: {
          code: { type: 'string', description: 'Stable, snake_case' },
          message: { type: 'string', description: 'A sentence for a person' },
          details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  };
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const parameters: Json[] = [];
    for (const [name, schema] of Object.entries(op.params ?? {})) {
      parameters.push({ name, in: 'path', required: true, schema: toSchema(schema, schemas) });
    }
    if (op.query) {
      for (const [name, schema] of Object.entries(op.query.shape)) {
        const s = toSchema(schema as z.ZodType, schemas);
        const optional = (schema as z.ZodType).safeParse(undefined).success;
        parameters.push({ name, in: 'query', required: !optional, ...(s.description ? { description: s.description } : {}), schema: s, ...(s.anyOf ? { explode: true } : {}) });
      }
    }
    if (op.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Any unique string (1–255 visible ASCII characters, a UUID is ideal). A retry with the same key and body returns the first result and creates nothing; with another body: 422; while the first is still running: 409. Keys are remembered for a day.',
        schema: { type: 'string', maxLength: 255 },
      });
    }
    const etag = { ETag: { description: 'The version of this answer: send it back as `If-None-Match`', schema: { type: 'string' } } };
    const responses: Json = {
      [op.ok.status]: {
        description: op.ok.description,
        ...(op.conditional ? { headers: etag } : {}),
        content: { 'application/json': { schema: toSchema(op.ok.schema, schemas) } },
      },
    };
    if (op.conditional) {
      parameters.push({ name: 'If-None-Match', in: 'header', required: false, description: 'The `ETag` of a copy you hold', schema: { type: 'string' } });
      responses[304] = { description: 'Not modified: the copy you hold (its `ETag` sent as `If-None-Match`) is current. Pages for readers without a token carry an ETag', headers: etag };
    }
    for (const status of op.errors) {
      const headers = status === 429 ? { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } : undefined;
      responses[status] = { description: ERROR_TEXT[status] ?? 'Error', ...(headers ? { headers } : {}), content: { 'application/json': { schema: errorRef } } };
    }
    responses[503] = { description: 'The database is unreachable: retry after `Retry-After` seconds', content: { 'application/json': { schema: errorRef } } };
    const operation: Json = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      operationId: `${op.method}${op.path.replace(/[/:{}]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { [op.form ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: toSchema(op.body, schemas) } } } } : {}),
      responses,
      security:
        op.auth === 'required'
          ? [{ commenterToken: [] }]
          : op.auth === 'optional'
            ? [{}, { commenterToken: [] }]
            : op.auth === 'staff'
              ? [{ memberSession: [] }, { apiKey: [] }]
              : op.auth === 'key'
                ? [{ apiKey: [] }]
                : [],
    };
    (paths[openApiPath(op.path)] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley API',
      version: '1',
      description:
        'Comments for news sites. Readers are pseudonymous: the first write returns a `commenterToken` (`ct_…`), sent back as `Authorization: Bearer ct_…`. Every error is `{"error": {"code", "message", "details"}}`.',
    },
    servers: [{ url: options.serverUrl ? `${options.serverUrl}/api/v1` : '/api/v1' }],
    tags: ['Threads', 'Comments', 'Reactions', 'Polls', 'Me', 'Privacy', 'Sign-in', 'Members', 'Moderation', 'Administration'].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        commenterToken: { type: 'http', scheme: 'bearer', description: 'The reader’s `ct_…` token' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'A site API key (`sk_…`)' },
        memberSession: { type: 'apiKey', in: 'cookie', name: 'parley_session', description: 'A member’s session from POST /auth/login; writes also need the X-CSRF-Token header' },
      },
    },
  };
}
