/**
 * A moderator's button press in Slack (SPEC §10): verified, mapped to the member linked to that
 * Slack user, and decided through the dashboard's own moderation service, so every rule holds (a
 * comment already decided answers 409). Whatever is refused decides nothing and is logged.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import * as commentRepo from '../comments/comment.repo';
import { type Db } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import * as memberRepo from '../members/member.repo';
import type { StaffActor } from '../members/permissions';
import { decide } from '../moderation/decision.service';
import { slackMessage } from './slack.message';
import { verifySlack } from './slack.verify';
import * as repo from './webhook.repo';
import { webhookComment } from './webhook.render';
import { postOut } from './webhook.send';

export interface SlackDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  allowPrivate: boolean;
}

const ACTIONS = { approve: 'Approved', reject: 'Rejected', spam: 'Marked as spam' } as const;
type SlackAction = keyof typeof ACTIONS;

interface BlockActions {
  type?: string;
  user?: { id?: string };
  actions?: Array<{ action_id?: string; value?: string }>;
  response_url?: string;
}

/**
 * Signatures seen within their window, by this instance: the same signed request twice decides
 * nothing the second time. (Another instance would decide it again only if the comment had been
 * reopened meanwhile: a decided comment answers 409.)
 */
function replayGuard() {
  const seen = new Map<string, number>();
  return (signature: string, nowMs: number): boolean => {
    for (const [sig, until] of seen) if (until < nowMs) seen.delete(sig);
    if (seen.has(signature)) return false;
    seen.set(signature, nowMs + 6 * 60_000);
    return true;
  };
}

async function secretsOf(db: Db, siteId: string): Promise<string[]> {
  const endpoints = await repo.listEndpoints(db, siteId);
  return endpoints.filter((e) => e.kind === 'slack' && e.slack_signing_secret).map((e) => e.slack_signing_secret!);
}

function parsePayload(raw: Buffer): BlockActions {
  try {
    const form = new URLSearchParams(raw.toString('utf8'));
    return JSON.parse(form.get('payload') ?? '') as BlockActions;
  } catch {
    throw errors.badRequest('slack_payload_invalid', 'The request carries no Slack payload.');
  }
}

export function createSlackActions(deps: SlackDeps) {
  const firstTime = replayGuard();
  return (siteId: string, headers: { timestamp?: string; signature?: string }, raw: Buffer) => handleSlackAction(deps, firstTime, siteId, headers, raw);
}

async function handleSlackAction(
  deps: SlackDeps,
  firstTime: (signature: string, nowMs: number) => boolean,
  siteId: string,
  headers: { timestamp?: string; signature?: string },
  raw: Buffer,
) {
  const refusal = verifySlack(await secretsOf(deps.db, siteId), headers, raw);
  if (refusal || !firstTime(headers.signature!, Date.now())) {
    deps.log.warn({ slack: { site: siteId, refusal: refusal ?? 'replayed' } }, 'slack action refused');
    throw errors.unauthenticated('The Slack signature is not valid, too old, or already used.');
  }
  const payload = parsePayload(raw);
  const action = payload.actions?.[0];
  const slackUser = payload.user?.id;
  if (payload.type !== 'block_actions' || !action?.value || !slackUser || !(action.action_id && action.action_id in ACTIONS)) {
    throw errors.badRequest('slack_payload_invalid', 'The Slack payload is not a Parley button press.');
  }
  const link = await repo.slackLinkOf(deps.db, siteId, slackUser);
  const member = link && (await memberRepo.findMember(deps.db, link.member_id));
  if (!member) {
    deps.log.warn({ slack: { site: siteId, user: slackUser, refusal: 'unlinked' } }, 'slack action refused');
    throw errors.forbidden('slack_user_not_linked', 'This Slack user is not linked to a member of the site.');
  }
  const comment = await commentRepo.findComment(deps.db, action.value);
  if (!comment || comment.site_id !== siteId) throw errors.notFound('The comment');
  const roles = new Map((await memberRepo.rolesOf(deps.db, member.id)).map((r) => [r.site_id, r.role]));
  const actor: StaffActor = { kind: 'member', id: member.id, name: member.name, email: member.email, roles };
  const kind = action.action_id as SlackAction;
  const updated = await decide(deps, actor, comment.id, kind, { details: { via: 'slack' } });
  const message = {
    replace_original: true,
    ...slackMessage({ type: 'comment.created' }, { comment: webhookComment(updated) }, { label: ACTIONS[kind], by: member.name }),
  };
  if (payload.response_url) void answerSlack(deps, payload.response_url, message);
  return message;
}

/** Slack replaces the message only when told through its response_url; the HTTP answer carries it too. */
async function answerSlack(deps: SlackDeps, url: string, message: unknown): Promise<void> {
  const result = await postOut(url, {}, JSON.stringify(message), deps.allowPrivate);
  if (result.error) deps.log.warn({ slack: { error: result.error } }, 'slack message could not be updated');
}
