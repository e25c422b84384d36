import { readFileSync } from 'node:fs';
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { IsoDateSchema } from './calendar/dates.ts';
import { ProfileName } from './plan/model-profiles.ts';
import { registerSecretValues, secretValuesOf } from './secret-values.ts';
import { parseRenewalCriteria, type ConfiguredRenewalCriteria } from './salesforce/renewal-criteria.ts';
import { TaskStatusMap } from './salesforce/task-statuses.ts';
import { defaultTeamRoles, TeamRolesSchema, type TeamRoles } from './team/roles.ts';

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s === '' ? undefined : s));
const isoDate = IsoDateSchema;
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const cronExpression = z.string().refine((v) => validateCron(v), 'must be a cron expression like */5 * * * *');

/** What the CSM can be told in Salesforce (the bell): each kind can be turned off with SALESFORCE_NOTIFICATIONS. */
const SALESFORCE_NOTIFICATION_KINDS = ['ai-task-failed', 'task-rejected', 'replan-needed', 'finalized-by-other'] as const;
export type SalesforceNotificationKind = (typeof SALESFORCE_NOTIFICATION_KINDS)[number];

const notificationKinds = z
  .string()
  .default(SALESFORCE_NOTIFICATION_KINDS.join(','))
  .transform((v, ctx): SalesforceNotificationKind[] => {
    const kinds = v
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (kinds.length === 1 && kinds[0] === 'none') return [];
    const unknown = kinds.filter((k) => !(SALESFORCE_NOTIFICATION_KINDS as readonly string[]).includes(k));
    if (unknown.length)
      ctx.addIssue({
        code: 'custom',
        message: `unknown kind ${unknown.join(', ')}: use a comma-separated list of ${SALESFORCE_NOTIFICATION_KINDS.join(', ')}, or none`,
      });
    return kinds as SalesforceNotificationKind[];
  });

/**
 * TASK_STATUS_MAP: the Task Status the mirror writes per plan task state, as JSON (`{"pending":"Open","completed":"Done"}`);
 * states left out take the defaults read from the org's TaskStatus values.
 */
const taskStatusMap = optionalString.transform((v, ctx): Partial<TaskStatusMap> | undefined => {
  if (v === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be JSON like {"pending":"Open","completed":"Done"} (${(err as Error).message})` });
    return z.NEVER;
  }
  const parsed = TaskStatusMap.partial().safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || '(map)'}: ${i.message}` });
    return z.NEVER;
  }
  return parsed.data;
});

/**
 * RENEWAL_CRITERIA: which opportunities are renewals (`type:Renewal,Existing Business`, `recordType:Renewal`,
 * `field:Is_Renewal__c`); unset, the org's Opportunity Type picklist decides (renewal-criteria.ts).
 */
const renewalCriteria = optionalString.transform((v, ctx): ConfiguredRenewalCriteria | undefined => {
  if (v === undefined) return undefined;
  try {
    return parseRenewalCriteria(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** TEAM_ROLES: the plan's team roles as JSON (see config/team-roles.json, the default), each issue naming its place. */
const teamRoles = optionalString.transform((v, ctx): TeamRoles => {
  let raw: unknown;
  try {
    raw = v === undefined ? defaultTeamRoles() : JSON.parse(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be JSON like config/team-roles.json (${(err as Error).message})` });
    return z.NEVER;
  }
  const parsed = TeamRolesSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || '(roles)'}: ${i.message}` });
    return z.NEVER;
  }
  return parsed.data;
});

/** Every environment variable the service reads, validated once at start. */
export const EnvSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
        .optional(),
    ),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    DATA_DIR: z.string().min(1).default('.data'),
    SERVICE_API_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    SF_INSTANCE_URL: optionalString.pipe(url.optional()),
    SF_ACCESS_TOKEN: optionalString,
    SF_LOGIN_URL: url.default('https://login.salesforce.com'),
    SF_CLIENT_ID: optionalString,
    SF_USERNAME: optionalString,
    SF_PRIVATE_KEY: optionalString,
    SF_PRIVATE_KEY_FILE: optionalString,
    SF_API_VERSION: z
      .string()
      .regex(/^\d{2}\.0$/, 'must look like 62.0')
      .default('62.0'),
    SF_RENEWAL_DATE_FIELD: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an Opportunity field API name')
        .optional(),
    ),
    SF_NOTIFICATION_TYPE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be the DeveloperName of a Custom Notification Type')
      .default('Renewal_Action_Plan_Alert'),
    SALESFORCE_NOTIFICATIONS: notificationKinds,
    TASK_STATUS_MAP: taskStatusMap,
    RENEWAL_CRITERIA: renewalCriteria,
    SF_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
    // Change Data Capture through the Pub/Sub API (docs/change-data-capture.md): on by default; `off` forces poll mode.
    SF_PUBSUB: z.enum(['on', 'off']).default('on'),
    SF_PUBSUB_ENDPOINT: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port, like api.pubsub.salesforce.com:7443')
      .default('api.pubsub.salesforce.com:7443'),
    // How often the poll still runs, as a catch-up, while change events stream.
    SF_SYNC_CATCHUP_MINUTES: z.coerce.number().min(1).max(1440).default(15),
    SF_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(120),
    SF_WRITE_PAUSE_SECONDS: z.coerce.number().min(0).max(86_400).default(900),
    MIRROR_RETRY_BASE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    MIRROR_RETRY_MAX_SECONDS: z.coerce.number().min(1).max(3600).default(3600),
    MIRROR_STUCK_AFTER_MINUTES: z.coerce
      .number()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    ACCESS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    // How long a user's field-level security (FieldPermissions) is reused: a permission change shows within it.
    FIELD_ACCESS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
    HOLIDAY_COUNTRY: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'must be an ISO country code like US')
        .optional(),
    ),
    HOLIDAY_REGION: optionalString,
    PLAN_MAX_TASKS: z.coerce.number().int().min(1).max(50).default(12),
    PLAN_GENERATE_LIMIT_PER_USER: z.coerce.number().int().min(1).max(10_000).default(30),
    PLAN_GENERATE_LIMIT_PER_EXECUTION: z.coerce.number().int().min(1).max(10_000).default(10),
    /** Bulk-queued generations per window for the whole org: their own budget, apart from every CSM's. */
    PLAN_GENERATE_LIMIT_BULK: z.coerce.number().int().min(1).max(100_000).default(120),
    PLAN_GENERATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    PLAN_DRAFT_VERSIONS_KEPT: z.coerce.number().int().min(1).max(1000).default(5),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalString.pipe(url.optional()),
    OPENAI_MODEL: optionalString.pipe(z.string().optional()).transform((m) => m ?? 'gpt-4o-mini'),
    OPENAI_PROFILE: optionalString.pipe(ProfileName.optional()),
    OPENAI_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(60),
    OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    OPENAI_MAX_COMPLETION_TOKENS: z.coerce.number().int().min(1000).max(100_000).default(12_000),
    // One deadline for a whole generate (step models, plan, retries, repair), under the Apex callout's 120 s limit.
    /** Names, emails and phone numbers reach the model as placeholders (docs/evaluating-plans.md, "Masking"). */
    MODEL_MASKING: z.enum(['on', 'off']).default('on'),
    // Under the Apex callout's 120 s; a grammar server (a local model on a CPU) may have up to 30 minutes (see superRefine).
    GENERATION_DEADLINE_SECONDS: z.coerce.number().positive().max(1800).default(90),
    TODAY: optionalString.pipe(isoDate.optional()),
    EXECUTOR_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    EXECUTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    EXECUTOR_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(300),
    EXECUTOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
    EXECUTOR_RETRY_DELAY_SECONDS: z.coerce.number().min(0).max(86_400).default(300),
    EXECUTOR_TASK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(120),
    EXECUTOR_CRON: cronExpression.default('*/5 * * * *'),
    EXECUTOR_SWEEP_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
    EXECUTOR_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(25),
    RESURFACE_CRON: cronExpression.default('0 8 * * *'),
    WORKFLOW_SCHEDULER_CRON: cronExpression.default('0 8 * * *'),
    ENGAGEMENT_RULES_CRON: cronExpression.default('0 * * * *'),
    PLAN_GENERATION_CRON: cronExpression.default('* * * * *'),
    PLAN_GENERATION_BATCH: z.coerce.number().int().min(1).max(200).default(10),
    SCHEDULE_TIMEZONE: z.string().min(1).default('UTC'),
    TEAM_ROLES: teamRoles,
    EMAIL_PROVIDER: z.enum(['none', 'sendgrid', 'mailgun']).default('none'),
    SENDGRID_API_KEY: optionalString,
    SENDGRID_API_URL: url.default('https://api.sendgrid.com'),
    SENDGRID_WEBHOOK_PUBLIC_KEY: optionalString,
    MAILGUN_API_KEY: optionalString,
    MAILGUN_DOMAIN: optionalString,
    MAILGUN_API_URL: url.default('https://api.mailgun.net'),
    MAILGUN_WEBHOOK_SIGNING_KEY: optionalString,
    // The signed user assertion (docs/trust.md): the certificate(s) Apex signs with, PEM text or a file path.
    SALESFORCE_ASSERTION_CERT: optionalString,
    // What the assertion's `aud` must be: the service's public URL, as in the Named Credential.
    SERVICE_AUDIENCE: optionalString.pipe(z.string().max(2000).optional()),
    // What its `iss` must be: the org id (00D...); read from the org at start when unset.
    SF_ORG_ID: optionalString.pipe(
      z
        .string()
        .regex(/^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'must be an org id (00D..., 15 or 18 characters)')
        .optional(),
    ),
    // Development only: trust X-Salesforce-User-Id as sent, without an assertion (a warning is logged at every start).
    SERVICE_TRUST_HEADER_ONLY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(url.optional()),
  })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, when: string) =>
      ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${when}` });
    if (env.GENERATION_DEADLINE_SECONDS > 110 && env.OPENAI_PROFILE !== 'grammar')
      ctx.addIssue({
        code: 'custom',
        path: ['GENERATION_DEADLINE_SECONDS'],
        message: "must be at most 110 (under the Apex callout's 120 s); only OPENAI_PROFILE=grammar (a local model) may take up to 1800",
      });
    if (env.MIRROR_RETRY_BASE_SECONDS > env.MIRROR_RETRY_MAX_SECONDS)
      ctx.addIssue({ code: 'custom', path: ['MIRROR_RETRY_BASE_SECONDS'], message: 'must not exceed MIRROR_RETRY_MAX_SECONDS' });
    if (env.SF_INSTANCE_URL && !env.SF_ACCESS_TOKEN) need('SF_ACCESS_TOKEN', 'SF_INSTANCE_URL is set');
    if (env.SF_ACCESS_TOKEN && !env.SF_INSTANCE_URL) need('SF_INSTANCE_URL', 'SF_ACCESS_TOKEN is set');
    const jwt = env.SF_CLIENT_ID || env.SF_USERNAME || env.SF_PRIVATE_KEY || env.SF_PRIVATE_KEY_FILE;
    if (jwt) {
      if (env.SF_ACCESS_TOKEN)
        ctx.addIssue({
          code: 'custom',
          path: ['SF_CLIENT_ID'],
          message: 'choose one Salesforce login: an access token or the JWT flow, not both',
        });
      if (!env.SF_CLIENT_ID) need('SF_CLIENT_ID', 'the JWT flow is configured');
      if (!env.SF_USERNAME) need('SF_USERNAME', 'the JWT flow is configured');
      if (!env.SF_PRIVATE_KEY && !env.SF_PRIVATE_KEY_FILE) need('SF_PRIVATE_KEY', 'the JWT flow is configured (or SF_PRIVATE_KEY_FILE)');
    }
    if (env.EMAIL_PROVIDER === 'sendgrid' && !env.SENDGRID_API_KEY) need('SENDGRID_API_KEY', 'EMAIL_PROVIDER is sendgrid');
    if (env.EMAIL_PROVIDER === 'mailgun' && !env.MAILGUN_API_KEY) need('MAILGUN_API_KEY', 'EMAIL_PROVIDER is mailgun');
    if (env.EMAIL_PROVIDER === 'mailgun' && !env.MAILGUN_DOMAIN) need('MAILGUN_DOMAIN', 'EMAIL_PROVIDER is mailgun');
    if ((env.SF_ACCESS_TOKEN || jwt) && !env.SERVICE_API_KEY)
      need('SERVICE_API_KEY', 'a real Salesforce org is configured (only the embedded org emulator mode generates one)');
    // A real org's callers prove their user with a signed assertion; only the embedded mode makes its own certificate.
    if (env.SALESFORCE_ASSERTION_CERT && env.SERVICE_TRUST_HEADER_ONLY)
      ctx.addIssue({
        code: 'custom',
        path: ['SERVICE_TRUST_HEADER_ONLY'],
        message: 'choose one: SALESFORCE_ASSERTION_CERT (verify the signed user assertion) or SERVICE_TRUST_HEADER_ONLY=true, not both',
      });
    if ((env.SF_ACCESS_TOKEN || jwt) && !env.SALESFORCE_ASSERTION_CERT && !env.SERVICE_TRUST_HEADER_ONLY)
      need(
        'SALESFORCE_ASSERTION_CERT',
        'a real Salesforce org is configured: the certificate Apex signs the user assertion with (docs/trust.md), or SERVICE_TRUST_HEADER_ONLY=true for development only',
      );
    if (env.SALESFORCE_ASSERTION_CERT && !env.SERVICE_AUDIENCE)
      need('SERVICE_AUDIENCE', "SALESFORCE_ASSERTION_CERT is set: the service's public URL, as in the Named Credential");
  });

export type Env = z.infer<typeof EnvSchema>;

export type SalesforceLogin =
  | { mode: 'token'; instanceUrl: string; accessToken: string; apiVersion: string }
  | { mode: 'jwt'; loginUrl: string; clientId: string; username: string; privateKey: string; apiVersion: string }
  | { mode: 'emulator'; apiVersion: string };

export interface Config {
  env: Env;
  salesforce: SalesforceLogin;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment; throws a ConfigError naming each bad variable and what is wrong with it. Every secret it
 * holds (any `*_KEY`/`*_SECRET`/`*_TOKEN`/`*_PASSWORD`, the database URL's password, the JWT private key, even from a
 * file) joins the process's registry of secret values first, so no message about it, or anything after, can quote it.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  registerSecretValues(...secretValuesOf(source));
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const salesforce = salesforceLogin(env);
  if (salesforce.mode === 'jwt') registerSecretValues(salesforce.privateKey);
  return { env, salesforce };
}

/** For command-line entry points: the configuration, or the message naming each bad variable and exit code 2. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

/** Whether the configuration names a Salesforce org (a token, or a JWT login) rather than the local emulator. */
export const realOrgConfigured = (env: Env): boolean =>
  Boolean((env.SF_INSTANCE_URL && env.SF_ACCESS_TOKEN) || (env.SF_CLIENT_ID && env.SF_USERNAME));

function salesforceLogin(env: Env): SalesforceLogin {
  const apiVersion = env.SF_API_VERSION;
  if (env.SF_INSTANCE_URL && env.SF_ACCESS_TOKEN)
    return { mode: 'token', instanceUrl: env.SF_INSTANCE_URL, accessToken: env.SF_ACCESS_TOKEN, apiVersion };
  if (env.SF_CLIENT_ID && env.SF_USERNAME) {
    let privateKey = env.SF_PRIVATE_KEY?.replace(/\\n/g, '\n');
    if (!privateKey) {
      try {
        privateKey = readFileSync(env.SF_PRIVATE_KEY_FILE!, 'utf8');
      } catch (err) {
        throw new ConfigError(
          `Invalid configuration:\n  SF_PRIVATE_KEY_FILE: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    if (!privateKey.includes('PRIVATE KEY-----'))
      throw new ConfigError('Invalid configuration:\n  SF_PRIVATE_KEY: is not a PEM private key');
    return { mode: 'jwt', loginUrl: env.SF_LOGIN_URL, clientId: env.SF_CLIENT_ID, username: env.SF_USERNAME, privateKey, apiVersion };
  }
  return { mode: 'emulator', apiVersion };
}
