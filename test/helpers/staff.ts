import type request from 'supertest';
import type { Db } from '../../server/db';
import { createApiKey } from '../../server/members/apikey.service';
import * as memberRepo from '../../server/members/member.repo';
import type { Role } from '../../server/members/member.schema';
import { createMember } from '../../server/members/member.service';
import { newId } from '../../server/ids';
import type { TestParley } from './parley';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Someone calling the API: a member with a session, a key, a commenter, or nobody. */
export interface Caller {
  label: string;
  call(method: Method, path: string, body?: unknown): request.Test;
}

export async function addMember(db: Db, roles: Array<[string, Role]>, opts: { name?: string; email?: string } = {}) {
  const email = opts.email ?? `m-${newId().slice(0, 8)}@newsroom.example`;
  const password = `pw-${newId()}`;
  const { member } = await createMember(db, { email, name: opts.name ?? 'Paul Ducklin', password });
  for (const [siteId, role] of roles) await memberRepo.upsertRole(db, siteId, member.id, role);
  return { id: member.id, email, password, name: member.name };
}

export function sessionCookieOf(res: request.Response): string {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = raw.find((c) => c.startsWith('parley_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  return cookie.split(';')[0]!;
}

export async function signIn(parley: TestParley, email: string, password: string, label = email): Promise<Caller & { cookie: string; csrf: string }> {
  const res = await parley.http().post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = sessionCookieOf(res);
  const csrf = res.body.csrfToken as string;
  return {
    label,
    cookie,
    csrf,
    call(method, path, body) {
      let req = parley.http()[method](`/api/v1${path}`).set('Cookie', cookie).set('X-CSRF-Token', csrf);
      if (body !== undefined) req = req.send(body as object);
      return req;
    },
  };
}

export async function member(parley: TestParley, roles: Array<[string, Role]>, label: string, opts: { name?: string } = {}) {
  const m = await addMember(parley.database.db, roles, opts);
  return Object.assign(await signIn(parley, m.email, m.password, label), { id: m.id, name: m.name, email: m.email });
}

export async function apiKey(parley: TestParley, siteId: string, label = 'api key'): Promise<Caller & { secret: string }> {
  const { secret } = await createApiKey(parley.database.db, { siteId, name: 'CMS', createdBy: null });
  return { secret, ...bearerCaller(parley, secret, label) };
}

export function bearerCaller(parley: TestParley, token: string | null, label: string): Caller {
  return {
    label,
    call(method, path, body) {
      let req = parley.http()[method](`/api/v1${path}`);
      if (token) req = req.set('Authorization', `Bearer ${token}`);
      if (body !== undefined) req = req.send(body as object);
      return req;
    },
  };
}
