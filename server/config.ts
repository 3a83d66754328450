import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Every problem is listed at once, so an operator fixes a bad
 * deployment in one go instead of one restart per variable.
 */
const urlWithProtocol = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'must be 1–64 letters, digits, or : . _ -').default('parley:'),
  PUBLIC_URL: urlWithProtocol(['http:', 'https:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      if (value === 'false' || value === '0' || value === '') return false as const;
      if (value === 'true') return true as const;
      if (/^\d+$/.test(value)) return Number(value);
      if (/^[0-9a-fA-F:.,/ ]+$/.test(value) || /^(loopback|linklocal|uniquelocal)/.test(value)) return value;
      ctx.addIssue({ code: 'custom', message: 'must be false, true, a hop count, or a list of addresses/subnets' });
      return z.NEVER;
    }),
  SMTP_URL: urlWithProtocol(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z.string().min(3).max(300).optional(),
  PARLEY_RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** `off`: no risk score, proof of work or learning from decisions (measurements and load tests only). */
  PARLEY_ABUSE_CHECKS: z.enum(['on', 'off']).default('on'),
  PARLEY_RETENTION_INTERVAL_MINUTES: z.coerce.number().min(0).max(10_080).default(60),
  /** JWKS URLs (and webhooks) may use http and internal addresses: tests and private networks only. */
  PARLEY_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /** When set, /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PARLEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Moves the schedules' clock (tests only: refused unless NODE_ENV=test). */
  PARLEY_TEST_CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
  NODE_ENV: z.string().optional(),
}).refine((e) => e.PARLEY_TEST_CLOCK_OFFSET_MS === undefined || e.NODE_ENV === 'test', {
  path: ['PARLEY_TEST_CLOCK_OFFSET_MS'],
  message: 'is only allowed with NODE_ENV=test',
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** Prefixes Parley's Redis keys and channels, so several deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string;
  readonly publicUrl: string;
  readonly publicOrigin: string;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly trustProxy: boolean | number | string;
  readonly smtpUrl: string | undefined;
  /** The From of lost-token mails; defaults to no-reply at PUBLIC_URL's host. */
  readonly smtpFrom: string;
  /** How often the retention job runs; 0 turns the timer off (the CLI command still works). */
  readonly retentionIntervalMs: number;
  readonly rateLimits: boolean;
  /** PARLEY_ABUSE_CHECKS: the abuse defence (SPEC §11) runs; off only to measure what it costs. */
  readonly abuseChecks: boolean;
  /** PARLEY_WEBHOOKS_ALLOW_PRIVATE: outgoing requests (webhooks, Slack, JWKS URLs) may reach http and internal addresses. */
  readonly webhooksAllowPrivate: boolean;
  readonly secret: string | undefined;
  /** METRICS_TOKEN: the bearer token /metrics asks for; unset, /metrics is open (keep it off the public internet). */
  readonly metricsToken: string | undefined;
  readonly production: boolean;
  /** PARLEY_TEST_CLOCK_OFFSET_MS: how far the schedules' clock runs ahead of real time (tests only). */
  readonly clockOffsetMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset, as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM ?? `Parley <no-reply@${new URL(publicUrl).hostname}>`,
    retentionIntervalMs: Math.round(e.PARLEY_RETENTION_INTERVAL_MINUTES * 60_000),
    rateLimits: e.PARLEY_RATE_LIMITS === 'on',
    abuseChecks: e.PARLEY_ABUSE_CHECKS === 'on',
    webhooksAllowPrivate: e.PARLEY_WEBHOOKS_ALLOW_PRIVATE === 'true',
    secret: e.PARLEY_SECRET,
    metricsToken: e.METRICS_TOKEN,
    production: e.NODE_ENV === 'production',
    clockOffsetMs: e.PARLEY_TEST_CLOCK_OFFSET_MS ?? 0,
  });
}

/** A config for tests and tools, built from the same parser so defaults never drift. */
export function configFrom(overrides: Record<string, string | undefined>): Config {
  return loadConfig({ ...overrides });
}
