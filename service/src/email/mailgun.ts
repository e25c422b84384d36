import { callProvider, type EmailProvider } from './provider.ts';

/** Mailgun's v3 API: domain tracking (`PUT /v3/domains/{domain}/tracking/{open,click}`, form `active=yes`), basic auth `api:<key>`. */
export class MailgunProvider implements EmailProvider {
  readonly name = 'mailgun';
  constructor(private readonly opts: { apiKey: string; domain: string; baseUrl?: string }) {}

  async enableTracking(t: { opens: boolean; clicks: boolean }) {
    const base = (this.opts.baseUrl ?? 'https://api.mailgun.net').replace(/\/$/, '');
    const headers = {
      authorization: `Basic ${Buffer.from(`api:${this.opts.apiKey}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const domain = encodeURIComponent(this.opts.domain);
    const put = async (kind: 'open' | 'click') => {
      const body = (await callProvider('Mailgun', `${base}/v3/domains/${domain}/tracking/${kind}`, {
        method: 'PUT',
        headers,
        body: 'active=yes',
      })) as Record<string, { active?: boolean } | undefined>;
      return body?.[kind]?.active === true;
    };
    return { opens: t.opens ? await put('open') : false, clicks: t.clicks ? await put('click') : false };
  }
}
