import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable across retries (from the outbox row's uid), so a repeated send is recognisable. */
  messageId?: string;
  /** The https link and the mailto of List-Unsubscribe; with them, one-click (RFC 8058) is announced. */
  unsubscribe?: { url: string; mailto: string };
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
  /** The sender's domain, for Message-IDs. */
  readonly domain: string;
}

/** A mail transport from SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`), or null when unset. */
export function createMailer(smtpUrl: string | undefined, from: string): Mailer | null {
  if (!smtpUrl) return null;
  // A pool: a burst reuses a few connections instead of one per message.
  const transport = nodemailer.createTransport(smtpUrl.includes('?') ? `${smtpUrl}&pool=true` : `${smtpUrl}?pool=true`);
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'parley.invalid';
  return {
    domain,
    async send(message) {
      const headers: Record<string, string> = {};
      if (message.unsubscribe) {
        headers['List-Unsubscribe'] = `<${message.unsubscribe.url}>, <${message.unsubscribe.mailto}>`;
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        headers,
      });
    },
    close() {
      transport.close();
    },
  };
}
