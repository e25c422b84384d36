import { callProvider, type EmailProvider } from './provider.ts';

/** SendGrid's v3 Web API: tracking settings (`PATCH /v3/tracking_settings/{open,click}`), bearer API key. */
export class SendGridProvider implements EmailProvider {
  readonly name = 'sendgrid';
  constructor(private readonly opts: { apiKey: string; baseUrl?: string }) {}

  async enableTracking(t: { opens: boolean; clicks: boolean }) {
    const base = (this.opts.baseUrl ?? 'https://api.sendgrid.com').replace(/\/$/, '');
    const headers = { authorization: `Bearer ${this.opts.apiKey}`, 'content-type': 'application/json' };
    const result = { opens: false, clicks: false };
    if (t.opens) {
      const body = (await callProvider('SendGrid', `${base}/v3/tracking_settings/open`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ enabled: true }),
      })) as { enabled?: boolean };
      result.opens = body?.enabled === true;
    }
    if (t.clicks) {
      const body = (await callProvider('SendGrid', `${base}/v3/tracking_settings/click`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ enabled: true }),
      })) as { enabled?: boolean };
      result.clicks = body?.enabled === true;
    }
    return result;
  }
}
