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
}

export interface CommentNodeLike {
  view: CommentView;
  el: HTMLLIElement;
  slot: HTMLElement;
  /** The text of the comment without the parts it quotes, for quoting it in turn. */
  quoteText(): string;
  focus(): void;
}
