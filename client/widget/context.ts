import type { Api } from './api';
import type { Lang, Strings } from './i18n';
import type { Store } from './store';
import type { CommentView, ThreadView } from './types';

/** What every part of one mounted widget shares. One per `[data-parley]` element. */
export interface Ctx {
  t: Strings;
  lang: Lang;
  api: Api;
  store: Store;
  origin: string;
  root: ShadowRoot;
  thread: ThreadView;
  /** Loaded comments by id, to place replies and live events. */
  nodes: Map<string, CommentNodeLike>;
  /** Says something to screen readers without moving focus. */
  announce(message: string): void;
  /** The reply/quote actions of a comment open the one form there. */
  replyTo(node: CommentNodeLike, quote?: boolean): void;
  /** Set by the sign-in module: checks whether a comment that arrived live is the reader's own. */
  recognise?(comment: CommentView): void;
  /** A comment the reader just posted: placed where they can see it. */
  posted(comment: CommentView, parent: CommentNodeLike | null): void;
  /** Set by the mail module when the server sends email: the choice under the email field. */
  notify?: NotifyChoice;
}

/** Being told of new comments by email (client/widget/notify.ts). */
export interface NotifyChoice {
  /** Shown in the form under the email field. */
  el: HTMLElement;
  /** What a post adds to its body (`notify`, `lang`): nothing when the reader did not ask. */
  fields(): object;
  /** After a post: what to add to its announcement (' …' or ''). */
  said(res: { subscription?: { confirmed: boolean } }): string;
}

export interface CommentNodeLike {
  view: CommentView;
  el: HTMLLIElement;
  slot: HTMLElement;
  /** The text of the comment without the parts it quotes, for quoting it in turn. */
  quoteText(): string;
  focus(): void;
}
