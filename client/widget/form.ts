import { ApiError, randomKey } from './api';
import type { Ctx, CommentNodeLike } from './context';
import { displayName } from './comment';
import { clear, h, safeHtml, uid } from './dom';
import type { CommentView } from './types';
import type { PowModule, TakeProof } from './pow';

type Field = 'body' | 'name' | 'email' | 'website';

/**
 * The one comment form. Like a classic blog's, it moves under the comment being answered and back,
 * so what the reader typed travels with it and is never lost: not on reply, cancel, preview, an
 * error from the server, a lost connection, or a reload (the draft is kept in the browser).
 */
export class CommentForm {
  readonly el: HTMLFormElement;
  private parent: CommentNodeLike | null = null;
  private readonly fields: Record<Field, HTMLInputElement | HTMLTextAreaElement>;
  private readonly errors: Record<Field, HTMLElement>;
  private readonly remember: HTMLInputElement;
  private readonly hp: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly previewButton: HTMLButtonElement;
  private readonly previewBox: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly replyBar: HTMLElement;
  private readonly title: HTMLElement;
  private openedAt = performance.now();
  private key: string | null = null;
  private busy = false;
  private previewing = false;
  /** Slow mode: the thread's interval (0: off), and when this reader may post again (ms). */
  private slow = 0;
  private until = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly slowNote = h('p', { class: 'note slow' });
  /** The proof of work (pow.ts): its own module, loaded when the reader starts typing. */
  private pow?: Promise<TakeProof | undefined>;

  constructor(
    private readonly ctx: Ctx,
    private readonly home: HTMLElement,
  ) {
    const { t } = ctx;
    const profile = ctx.store.profile();
    const draftKey = `draft:${ctx.thread.id}`;
    const field = (name: Field, label: string, control: HTMLInputElement | HTMLTextAreaElement, hint?: string, required = false) => {
      const id = uid(name);
      const errorId = `${id}-e`;
      const hintId = `${id}-h`;
      control.id = id;
      control.name = name;
      control.setAttribute('aria-describedby', [hint ? hintId : '', errorId].filter(Boolean).join(' '));
      const error = h('p', { class: 'field-error', id: errorId });
      error.hidden = true;
      this.errors[name] = error;
      this.fields[name] = control;
      return h(
        'div',
        { class: `field field-${name}` },
        h('label', { for: id }, label, required && h('span', { class: 'req', 'aria-hidden': 'true' }, ' *'), required && h('span', { class: 'sr' }, ` (${t.required})`)),
        control,
        hint && h('p', { class: 'hint', id: hintId }, hint),
        error,
      );
    };
    this.fields = {} as typeof this.fields;
    this.errors = {} as typeof this.errors;

    const body = h('textarea', { rows: 5, required: true, maxlength: 50000 });
    body.value = ctx.store.get(draftKey) ?? '';
    body.addEventListener('input', () => {
      this.pow ??= import(ctx.origin + __PARLEY_POW__).then((m: PowModule) => m.pow(ctx), () => undefined);
      this.key = null;
      ctx.store.set(draftKey, body.value || null);
      this.clearError('body');
    });
    const name = h('input', { type: 'text', autocomplete: 'nickname', maxlength: 80, placeholder: t.anonymous });
    const email = h('input', { type: 'email', autocomplete: 'email', maxlength: 254 });
    const website = h('input', { type: 'url', autocomplete: 'url', maxlength: 300, placeholder: 'https://' });
    name.value = profile?.name ?? '';
    email.value = profile?.email ?? '';
    website.value = profile?.website ?? '';
    for (const [f, c] of [['name', name], ['email', email], ['website', website]] as const) c.addEventListener('input', () => this.clearError(f));

    this.remember = h('input', { type: 'checkbox', id: uid('remember') });
    this.remember.checked = true;
    // A field people never see: naive bots fill it in, and the server's spam rule looks at it.
    this.hp = h('input', { type: 'text', name: 'hp', tabindex: -1, autocomplete: 'off', id: uid('hp') });

    this.title = h('h3', { class: 'form-title' }, t.leaveComment);
    this.replyBar = h('p', { class: 'replying' });
    this.replyBar.hidden = true;
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.previewBox = h('div', { class: 'preview body', 'aria-live': 'polite' });
    this.previewBox.hidden = true;
    this.previewButton = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', onclick: () => void this.togglePreview() }, t.preview);
    this.submit = h('button', { type: 'submit', class: 'primary' }, t.post);

    this.el = h(
      'form',
      { class: 'form', novalidate: true },
      this.title,
      this.replyBar,
      field('body', t.comment, body, t.formatting, true),
      this.previewBox,
      h(
        'div',
        { class: 'identity' },
        field('name', t.name, name, t.nameHint),
        field('email', t.email, email, t.emailHint),
        field('website', t.website, website),
      ),
      ctx.notify?.el,
      h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: this.hp.id }, t.honeypot), this.hp),
      h('div', { class: 'remember' }, this.remember, h('label', { for: this.remember.id }, t.remember)),
      this.alert,
      this.slowNote,
      h('div', { class: 'buttons' }, this.submit, this.previewButton),
    );
    this.title.id = uid('form-title');
    this.el.setAttribute('aria-labelledby', this.title.id);
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.parent) {
        e.preventDefault();
        this.cancelReply();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send();
      }
    });
    home.append(this.el);
  }

  /** Shows the thread's slow mode (seconds; 0: off, and no more waiting) and, after a post, the time left before the next. */
  setSlow(seconds: number): void {
    this.slow = seconds;
    if (!seconds) this.until = 0;
    this.tick();
  }

  private tick(): void {
    const { t } = this.ctx;
    const left = Math.ceil((this.until - Date.now()) / 1000);
    clearTimeout(this.timer);
    this.slowNote.textContent = left > 0 ? t.slowWait(left) : this.slow ? t.slowMode(this.slow) : '';
    this.slowNote.hidden = !this.slowNote.textContent;
    this.submit.disabled = this.busy || left > 0;
    if (left > 0) this.timer = setTimeout(() => this.tick(), 1000);
  }

  /** After an erasure: the name, email and website are no longer remembered nor shown. */
  forget(): void {
    for (const f of ['name', 'email', 'website'] as const) this.fields[f].value = '';
  }

    get replyingTo(): CommentNodeLike | null {
    return this.parent;
  }

  /** Moves the form under a comment (reply), optionally quoting it, and puts the caret in the text. */
  attach(node: CommentNodeLike, quote = false): void {
    const { t } = this.ctx;
    if (this.parent !== node) {
      this.parent = node;
      node.slot.append(this.el);
      this.openedAt = Math.min(this.openedAt, performance.now());
      clear(this.replyBar);
      this.replyBar.append(
        `${t.replyingTo} `,
        h('strong', {}, displayName(node.view, t.anonymous)),
        ' · ',
        h('button', { type: 'button', class: 'link', onclick: () => this.cancelReply() }, t.cancel),
      );
      this.replyBar.hidden = false;
      this.title.hidden = true;
      this.submit.textContent = t.postReply;
    }
    const body = this.fields.body as HTMLTextAreaElement;
    if (quote) {
      const text = node.quoteText();
      if (text) {
        const quoted = text
          .split('\n')
          .map((line) => (line ? `> ${line}` : '>'))
          .join('\n');
        const before = body.value.slice(0, body.selectionStart).replace(/\s+$/, '');
        const after = body.value.slice(body.selectionEnd).replace(/^\s+/, '');
        body.value = `${before ? before + '\n\n' : ''}${quoted}\n\n${after}`;
        const caret = body.value.length - after.length;
        body.setSelectionRange(caret, caret);
        body.dispatchEvent(new Event('input'));
      }
    }
    this.showWriting();
    body.focus();
  }

  cancelReply(): void {
    const node = this.parent;
    this.parent = null;
    this.home.append(this.el);
    this.replyBar.hidden = true;
    this.title.hidden = false;
    this.submit.textContent = this.ctx.t.post;
    this.clearErrors();
    node?.focus();
  }

  private clearError(f: Field): void {
    const c = this.fields[f];
    c.removeAttribute('aria-invalid');
    this.errors[f].hidden = true;
    this.errors[f].textContent = '';
  }

  private clearErrors(): void {
    for (const f of Object.keys(this.fields) as Field[]) this.clearError(f);
    clear(this.alert);
  }

  private showError(err: unknown): void {
    const { t } = this.ctx;
    this.clearErrors();
    const e = err instanceof ApiError ? err : new ApiError(0, 'network', t.offline);
    let firstInvalid: HTMLElement | null = null;
    for (const d of e.details) {
      const f = d.path.replace(/^body\./, '') as Field;
      if (!(f in this.fields)) continue;
      this.fields[f].setAttribute('aria-invalid', 'true');
      this.errors[f].textContent = d.message;
      this.errors[f].hidden = false;
      firstInvalid ??= this.fields[f];
    }
    this.alert.append(h('p', {}, e.message, e.retryAfter ? ` ${t.retryIn(e.retryAfter)}` : ''));
    firstInvalid?.focus();
  }

  private showWriting(): void {
    if (!this.previewing) return;
    this.previewing = false;
    this.previewBox.hidden = true;
    this.fields.body.hidden = false;
    this.previewButton.textContent = this.ctx.t.preview;
    this.previewButton.setAttribute('aria-pressed', 'false');
  }

  private async togglePreview(): Promise<void> {
    const { t } = this.ctx;
    if (this.previewing) {
      this.showWriting();
      this.fields.body.focus();
      return;
    }
    const text = this.fields.body.value;
    clear(this.previewBox);
    if (!text.trim()) {
      this.previewBox.append(h('p', { class: 'muted' }, t.previewEmpty));
    } else {
      try {
        const { bodyHtml } = await this.ctx.api<{ bodyHtml: string }>('POST', '/preview', { body: text });
        this.previewBox.append(safeHtml(bodyHtml));
      } catch (err) {
        this.showError(err);
        return;
      }
    }
    this.previewing = true;
    this.previewBox.hidden = false;
    this.fields.body.hidden = true;
    this.previewButton.textContent = t.write;
    this.previewButton.setAttribute('aria-pressed', 'true');
  }

  private async send(): Promise<void> {
    if (this.submit.disabled) return;
    const { t, api, store, thread } = this.ctx;
    const body = this.fields.body.value;
    this.clearErrors();
    if (!body.trim()) {
      this.showWriting();
      this.showError(new ApiError(400, 'validation_failed', `${t.comment}: ${t.required}.`, [{ path: 'body', message: `${t.comment}: ${t.required}.` }]));
      return;
    }
    const profile = { name: this.fields.name.value.trim(), email: this.fields.email.value.trim(), website: this.fields.website.value.trim() };
    const parent = this.parent;
    this.key ??= randomKey();
    this.busy = true;
    this.submit.disabled = true;
    this.submit.textContent = t.posting;
    this.el.setAttribute('aria-busy', 'true');
    try {
      const res = await api<{ comment: CommentView; commenterToken?: string; subscription?: { confirmed: boolean } }>(
        'POST',
        `/threads/${thread.id}/comments`,
        {
          body,
          ...(parent ? { parentId: parent.view.id } : {}),
          ...(profile.name ? { name: profile.name } : {}),
          ...(profile.email ? { email: profile.email } : {}),
          ...(profile.website ? { website: profile.website } : {}),
          hp: this.hp.value,
          elapsedMs: Math.round(performance.now() - this.openedAt),
          ...this.ctx.notify?.fields(),
          ...(await (await this.pow)?.()),
        },
        { 'Idempotency-Key': this.key },
      );
      if (res.commenterToken) store.setToken(res.commenterToken);
      store.setProfile(this.remember.checked ? profile : null);
      this.fields.body.value = '';
      store.set(`draft:${thread.id}`, null);
      this.key = null;
      this.openedAt = performance.now();
      this.showWriting();
      if (parent) this.cancelReply();
      this.ctx.posted({ ...res.comment, mine: true }, parent);
      this.ctx.announce((res.comment.status === 'approved' ? t.posted : t.postedPending) + (this.ctx.notify?.said(res) ?? ''));
      this.until = Date.now() + this.slow * 1000;
    } catch (err) {
      this.showError(err);
      if (err instanceof ApiError && err.code === 'slow_mode' && err.retryAfter) this.until = Date.now() + err.retryAfter * 1000;
    } finally {
      this.busy = false;
      this.submit.textContent = this.parent ? t.postReply : t.post;
      this.el.removeAttribute('aria-busy');
      this.tick();
    }
  }
}
