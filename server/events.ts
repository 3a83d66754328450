/**
 * The typed map of domain events and a small bus. Services emit through a transaction context, which
 * holds events until commit; the realtime layer subscribes. Client socket events are a separate map
 * (realtime/contract.ts): this one is internal.
 */
export type ThreadEventName = 'comment:created' | 'comment:updated' | 'comment:removed' | 'thread:updated';

export interface ThreadEvent {
  siteId: string;
  threadId: string;
  seq: number;
  event: ThreadEventName;
  payload: Record<string, unknown>;
  /** null: every reader; otherwise only this commenter may receive it. */
  audience: string | null;
}

export interface DomainEvents {
  'thread.event': ThreadEvent;
  'comment.status': { siteId: string; threadId: string; commentId: string; from: string | null; to: string };
  'commenter.revoked': { commenterId: string };
  /** Every moderation decision, including those that change no status (flags cleared, featured). */
  'moderation.decided': { siteId: string; threadId: string; commentId: string; action: string; from: string; to: string };
  /** A ballot was cast, changed or withdrawn: live results are recomputed, coalesced per poll. */
  'poll.voted': { siteId: string; threadId: string; pollId: string; commenterId: string };
  /**
   * A reader reported a comment. `flagCount` is after this report; `entered` is true for the report
   * that brought an approved comment to the site's threshold (it joins the flagged queue).
   */
  'comment.flagged': {
    siteId: string;
    threadId: string;
    commentId: string;
    flagCount: number;
    threshold: number;
    entered: boolean;
    reason: string;
  };
  /**
   * An import or restore added comments to a site in bulk: moderation queues and counts should be
   * read again (one event per import rather than a `comment.status` per imported comment).
   */
  'site.imported': { siteId: string; threads: number; comments: number };
}

export type DomainEventName = keyof DomainEvents;
type Handler<K extends DomainEventName> = (payload: DomainEvents[K]) => void;

export interface EventBus {
  on<K extends DomainEventName>(name: K, handler: Handler<K>): () => void;
  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void;
}

export function createEventBus(onError: (err: unknown, name: string) => void = () => {}): EventBus {
  const handlers = new Map<string, Set<Handler<any>>>();
  return {
    on(name, handler) {
      let set = handlers.get(name);
      if (!set) handlers.set(name, (set = new Set()));
      set.add(handler);
      return () => set!.delete(handler);
    },
    emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) {
        try {
          handler(payload);
        } catch (err) {
          onError(err, name);
        }
      }
    },
  };
}
