/**
 * The email provider the engagement tracker talks to, whatever it is (SendGrid, Mailgun): one interface, so the
 * processor and its tests do not care which one is configured.
 */
export interface EmailProvider {
  readonly name: 'sendgrid' | 'mailgun';
  /** Turns on open and/or click tracking for the sending account or domain. Idempotent. */
  enableTracking(opts: { opens: boolean; clicks: boolean }): Promise<{ opens: boolean; clicks: boolean }>;
}

/** A provider API failure; 429 and 5xx (and network errors) are worth retrying, other 4xx are not. */
export class EmailProviderError extends Error {
  override name = 'EmailProviderError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** fetch with a bounded timeout; the error names the provider and the HTTP status, never the key. */
export async function callProvider(provider: string, url: string, init: RequestInit, timeoutMs = 10_000): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new EmailProviderError(`${provider} is unreachable: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const b = body as { errors?: { message?: string }[]; message?: string } | undefined;
    const detail = b?.errors?.map((e) => e.message).join('; ') ?? b?.message ?? res.statusText;
    throw new EmailProviderError(`${provider} answered ${res.status}: ${detail}`, res.status);
  }
  return body;
}
