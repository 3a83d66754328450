import type { WebhookDelivery, WebhookEndpoint } from '../../db/schema';

/** An endpoint as admins see it: never its secrets (the signing secret is shown once, at creation or rotation). */
export function webhookView(e: WebhookEndpoint, now: Date) {
  return {
    id: e.id,
    siteId: e.site_id,
    kind: e.kind,
    url: e.url,
    events: e.kind === 'slack' ? ['comment.created', 'comment.flagged'] : (e.events as unknown as string[]),
    description: e.description,
    enabled: e.enabled,
    previousSecretUntil: e.previous_until && e.previous_until > now ? e.previous_until.toISOString() : null,
    failingSince: e.failing_since ? e.failing_since.toISOString() : null,
    switchedOffAt: e.disabled_at ? e.disabled_at.toISOString() : null,
    switchedOffReason: e.disabled_reason,
    createdAt: e.created_at.toISOString(),
  };
}

export function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    eventId: d.event_id,
    type: d.event_type,
    attempt: d.attempt,
    ok: d.ok,
    statusCode: d.status_code,
    latencyMs: d.latency_ms,
    error: d.error,
    createdAt: d.created_at.toISOString(),
  };
}
