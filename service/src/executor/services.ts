import { MailgunProvider } from '../../../processors/email/mailgun.ts';
import type { EmailProvider } from '../../../processors/email/provider.ts';
import { SendGridProvider } from '../../../processors/email/sendgrid.ts';
import type { ProcessorServices } from '../../../processors/types.ts';
import type { Env } from '../config.ts';
import type { Deps } from '../deps.ts';

/** The configured email provider, or undefined with EMAIL_PROVIDER=none. */
export function emailProviderFrom(env: Env): EmailProvider | undefined {
  if (env.EMAIL_PROVIDER === 'sendgrid') return new SendGridProvider({ apiKey: env.SENDGRID_API_KEY!, baseUrl: env.SENDGRID_API_URL });
  if (env.EMAIL_PROVIDER === 'mailgun')
    return new MailgunProvider({ apiKey: env.MAILGUN_API_KEY!, domain: env.MAILGUN_DOMAIN!, baseUrl: env.MAILGUN_API_URL });
  return undefined;
}

/** What processors get from the service's shared dependencies. */
export function processorServices(deps: Deps, email: EmailProvider | undefined = emailProviderFrom(deps.env)): ProcessorServices {
  return { sql: deps.db.sql, salesforce: deps.salesforce, calendar: deps.calendar, email, log: deps.log, today: deps.today, now: deps.now };
}
