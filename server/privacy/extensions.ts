import { abusePrivacy } from '../abuse/abuse.privacy';
import { moderationPrivacy } from '../moderation/moderation.privacy';
import { importsPrivacy } from '../imports/imports.privacy';
import { likesPrivacy } from './likes.privacy';
import type { PrivacyExtension } from './privacy.extension';
import { ssoPrivacy } from '../sso/sso.privacy';
import { votesPrivacy } from './votes.privacy';
import { outboxPrivacy } from '../outbox/outbox.privacy';
import { mailPrivacy } from '../mail/mail.privacy';
import { webhookPrivacy } from '../webhooks/webhook.privacy';
import { slowModePrivacy } from '../threads/slow-mode.privacy';

/**
 * EXTENSION POINT for domains that hold personal data outside the comment tables: poll votes (the
 * poll feature), moderation decisions and bans (moderation), member sessions. Each adds one entry to
 * `privacyExtensions` below — a static list, like the migrations — and export, erasure and retention
 * pick it up with no other change. Every hook is optional. Erasure runs them in this order: sign-in
 * keeps a banned account's ban (as a hash) before moderation drops the commenter's bans.
 */
export const privacyExtensions: readonly PrivacyExtension[] = [votesPrivacy, likesPrivacy, ssoPrivacy, moderationPrivacy, importsPrivacy, mailPrivacy, outboxPrivacy, webhookPrivacy, abusePrivacy, slowModePrivacy];
