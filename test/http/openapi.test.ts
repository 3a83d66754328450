import SwaggerParser from '@apidevtools/swagger-parser';
import type { z } from 'zod';
import {
  CommentPageSchema,
  CommentViewSchema,
  PermalinkSchema,
  PostedCommentSchema,
  RepliesPageSchema,
} from '../../server/comments/comment.schema';
import { ProfileSchema } from '../../server/commenters/commenter.schema';
import { FlagViewSchema } from '../../server/flags/flag.schema';
import { apiRouter } from '../../server/http/routes';
import { slackRoutes } from '../../server/webhooks/slack.routes';
import { CountsSchema } from '../../server/threads/counts.routes';
import { ThreadReplySchema } from '../../server/threads/thread.schema';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call } from '../helpers/reader';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await parley.http().get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(res.body))).resolves.toBeDefined();
  });

  it('documents every route the API serves, and nothing it does not', async () => {
    const spec = (await parley.http().get('/api/v1/openapi.json')).body;
    const documented = Object.entries<Record<string, unknown>>(spec.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const routesOf = (router: any, prefix = '') =>
      router.stack
        .filter((layer: any) => layer.route)
        .flatMap((layer: any) =>
          Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${prefix}${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`),
        );
    // Slack's form route is mounted beside the JSON-only API (its raw body is signed).
    const served = [...routesOf(apiRouter(parley.app.deps)), ...routesOf(slackRoutes(parley.app.deps), '/integrations/slack')]
      .filter((route: string) => route !== 'GET /openapi.json')
      .sort();
    expect(documented).toEqual(served);
  });

  it('describes the write that can be retried, and the token it needs', async () => {
    const spec = (await parley.http().get('/api/v1/openapi.json')).body;
    const post = spec.paths['/threads/{threadId}/comments'].post;
    expect(post.parameters.map((p: any) => p.name)).toEqual(['threadId', 'Idempotency-Key']);
    expect(post.requestBody.content['application/json'].schema.properties.body.description).toMatch(/Markdown/);
    expect(post.responses['429'].headers['Retry-After']).toBeDefined();
    expect(spec.paths['/me'].get.security).toEqual([{ commenterToken: [] }]);
  });
});

describe('real responses match the documented shapes', () => {
  /** Parses with the schema and checks no undocumented field slipped into a comment. */
  function conforms(schema: z.ZodType, body: unknown) {
    const result = schema.safeParse(body);
    if (!result.success) throw new Error(JSON.stringify(result.error.issues));
    const known = new Set(Object.keys(CommentViewSchema.shape));
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (!value || typeof value !== 'object') return;
      const record = value as Record<string, unknown>;
      if ('bodyHtml' in record) {
        for (const key of Object.keys(record)) if (key !== 'replies') expect(known).toContain(key);
      }
      Object.values(record).forEach(walk);
    };
    walk(body);
  }

  it('for every reader call', async () => {
    const site = await buildSite(parley.database.db);
    const thread = await buildThread(parley.database.db, site.id);
    const posted = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'first', name: 'Rich' });
    conforms(PostedCommentSchema, posted.body);
    const token = posted.body.commenterToken;
    const id = posted.body.comment.id;
    const reply = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'reply', parentId: id }, { token });
    conforms(PostedCommentSchema, reply.body);
    conforms(ThreadReplySchema, (await call(parley, 'get', `/threads/${thread.id}`)).body);
    conforms(CommentPageSchema, (await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token })).body);
    conforms(PermalinkSchema, (await call(parley, 'get', `/comments/${reply.body.comment.id}`)).body);
    conforms(RepliesPageSchema, (await call(parley, 'get', `/comments/${id}/replies`)).body);
    const other = (await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'another reader' })).body.commenterToken;
    conforms(PostedCommentSchema, (await call(parley, 'put', `/comments/${id}/reaction`, undefined, { token: other })).body);
    conforms(FlagViewSchema, (await call(parley, 'post', `/comments/${id}/flags`, { reason: 'other' }, { token: other })).body);
    conforms(PostedCommentSchema, (await call(parley, 'patch', `/comments/${id}`, { body: 'edited' }, { token })).body);
    conforms(PostedCommentSchema, (await call(parley, 'delete', `/comments/${id}`, undefined, { token })).body);
    conforms(ProfileSchema, (await call(parley, 'get', '/me', undefined, { token })).body);
    conforms(ProfileSchema, (await call(parley, 'patch', '/me', { website: 'https://rich.example' }, { token })).body);
    conforms(CountsSchema, (await parley.http().get('/api/v1/counts').query({ site: site.id, key: thread.key })).body);
  });
});

describe('GET /api/docs', () => {
  it('renders the reference as one self-contained page', async () => {
    const res = await parley.http().get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const html = res.text;
    for (const path of ['/threads/{threadId}/comments', '/comments/{commentId}/reaction', '/counts', '/me']) {
      expect(html).toContain(path);
    }
    expect(html).toContain('Idempotency-Key');
    // Nothing loaded from anywhere: no scripts, no external stylesheets, fonts or images.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });
});
