import type { Clock } from '../clock';
import type { Db } from '../db';
import { errors } from '../errors';
import * as memberRepo from '../members/member.repo';
import { ROLE_ABILITIES, type StaffActor } from '../members/permissions';
import * as repo from './webhook.repo';
import { authorizeWebhooks } from './webhook.service';

type LinkDeps = { db: Db; clock: Clock };

/** Which member a Slack user decides as. Only a member who may moderate this site can be linked. */
export async function linkSlackUser(deps: LinkDeps, actor: StaffActor, siteId: string, input: { slackUserId: string; memberId: string }) {
  authorizeWebhooks(actor, siteId);
  const role = await memberRepo.roleOn(deps.db, input.memberId, siteId);
  if (!role || !ROLE_ABILITIES[role].includes('moderate')) {
    throw errors.validation('The link is not valid.', [{ path: 'memberId', message: 'is not a moderator or admin of this site' }]);
  }
  await repo.linkSlackUser(deps.db, siteId, input.slackUserId, input.memberId, deps.clock.now());
  return { slackUserId: input.slackUserId, memberId: input.memberId };
}

export async function listSlackLinks(deps: LinkDeps, actor: StaffActor, siteId: string) {
  authorizeWebhooks(actor, siteId);
  return (await repo.listSlackLinks(deps.db, siteId)).map((l) => ({ slackUserId: l.slack_user_id, memberId: l.member_id, createdAt: l.created_at.toISOString() }));
}

export async function unlinkSlackUser(deps: LinkDeps, actor: StaffActor, siteId: string, slackUserId: string) {
  authorizeWebhooks(actor, siteId);
  if (!(await repo.unlinkSlackUser(deps.db, siteId, slackUserId))) throw errors.notFound('The Slack link');
}
