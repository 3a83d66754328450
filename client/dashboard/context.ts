import type { Api } from './api';
import type { Lang, Messages } from './i18n';
import type { Live } from './live';
import type { Status } from './status';
import type { Role, Session, SiteRole } from './types';

/** What every panel is given: the API, the words, the member and the current site. */
export interface Ctx {
  api: Api;
  t: Messages;
  lang: Lang;
  session: Session;
  site: SiteRole;
  status: Status;
  live: Live;
  /** Reports an error from the API (or anything else) in the alert region. */
  fail(err: unknown): void;
}

/** A panel renders into `mount` and returns what to undo when the member leaves it. */
export type Panel = (ctx: Ctx, mount: HTMLElement, arg: string | undefined) => (() => void) | void;

export const canModerate = (role: Role) => role === 'admin' || role === 'moderator';
export const canAdminister = (role: Role) => role === 'admin';

/** A person's display name, or "Anonymous". */
export function who(ctx: Ctx, name: string | null | undefined): string {
  return name?.trim() || ctx.t.anonymous;
}
